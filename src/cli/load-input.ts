// -f FILE|DIR: YAML/JSON manifests (a file or every manifest in a folder) or a TypeScript /
// JavaScript apphost file, loaded in-process without starting anything.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../api/types.ts';
import { isApphostFile, loadApphostFile } from '../builder/load-apphost-file.ts';
import { loadManifests } from '../host/manifests.ts';
import { CliError } from './errors.ts';

export interface LoadedInput {
  objects: KubeObject[];
  /** Application name from an apphost file's createBuilder({ name }). */
  name?: string;
  source: string;
}

export async function loadInput(path: string): Promise<LoadedInput> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new CliError('BAD_INPUT', `${path}: no such file or directory`);
  if (!statSync(abs).isDirectory() && isApphostFile(abs)) {
    const loaded = await loadApphostFile(abs);
    return { objects: loaded.manifests, name: loaded.name, source: path };
  }
  const objects = await loadManifests(abs);
  if (objects.length === 0 && statSync(abs).isDirectory()) {
    // A folder with no YAML/JSON manifests but an apphost.ts/.js: run that.
    const file = defaultInput(abs);
    if (file && isApphostFile(file)) {
      const loaded = await loadApphostFile(file);
      return { objects: loaded.manifests, name: loaded.name, source: file };
    }
  }
  return { objects, source: path };
}

/** What `up` runs when no -f is given: apphost.ts / .js / .yaml / .yml in `dir`, in that order. */
export function defaultInput(dir: string): string | undefined {
  for (const f of ['apphost.ts', 'apphost.mts', 'apphost.js', 'apphost.mjs', 'apphost.yaml', 'apphost.yml']) {
    if (existsSync(join(dir, f))) return join(dir, f);
  }
  return undefined;
}
