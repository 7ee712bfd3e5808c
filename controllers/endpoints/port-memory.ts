// Ports remembered across runs: a persistent resource's proxyless port allocated from the range is
// kept (in `.apphost/ports.json` of the project) so the resource stays on the same port whether
// apphost runs or not, and the next run finds it there again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface PortMemory {
  get(key: string): Promise<number | undefined>;
  set(key: string, port: number): Promise<void>;
}

/** In memory only (tests, or when there is no project folder). */
export function createInMemoryPortMemory(initial: Record<string, number> = {}): PortMemory {
  const map = new Map(Object.entries(initial));
  return {
    async get(key) {
      return map.get(key);
    },
    async set(key, port) {
      map.set(key, port);
    },
  };
}

/** A JSON file `{ "<namespace>/<resource>/<endpoint>": port }`, read once, rewritten atomically on change. */
export function createFilePortMemory(path: string): PortMemory {
  let loaded: Promise<Map<string, number>> | undefined;
  let writing: Promise<void> = Promise.resolve();
  const load = () =>
    (loaded ??= readFile(path, 'utf8').then(
      (text) => {
        const data = JSON.parse(text) as unknown;
        const map = new Map<string, number>();
        if (data && typeof data === 'object') {
          for (const [k, v] of Object.entries(data)) if (typeof v === 'number' && Number.isInteger(v)) map.set(k, v);
        }
        return map;
      },
      () => new Map<string, number>(),
    ));
  return {
    async get(key) {
      return (await load()).get(key);
    },
    async set(key, port) {
      const map = await load();
      if (map.get(key) === port) return;
      map.set(key, port);
      const text = `${JSON.stringify(Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`;
      writing = writing.then(async () => {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, path);
      });
      await writing;
    },
  };
}

export function portMemoryKey(namespace: string, resource: string, endpoint: string): string {
  return `${namespace}/${resource}/${endpoint}`;
}
