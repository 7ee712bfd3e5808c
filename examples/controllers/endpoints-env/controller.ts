// An in-process controller: keeps `.apphost/endpoints.env` up to date with the URL of every
// Endpoint, for tools that live outside apphost (a shell, a test runner, an IDE launch config).
//
//   apphostctl up -f examples/starter --controller examples/controllers/endpoints-env/controller.ts
//
// The file holds one `<RESOURCE>_<ENDPOINT>=<url>` line per Endpoint with a URL, sorted, and is
// replaced atomically (write a temporary file, then rename) so a reader never sees half of it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defineController, envVariableName, type Endpoint } from 'apphost';

export interface EndpointsEnvOptions {
  /** The application folder: the file goes to `<dir>/.apphost/endpoints.env`. */
  dir: string;
}

export function renderEndpointsEnv(endpoints: Endpoint[]): string {
  const lines = endpoints
    .filter((ep) => ep.status?.url && !ep.metadata.deletionTimestamp)
    .map((ep) => `${envVariableName(ep.spec.resource, ep.spec.name ?? ep.metadata.name)}=${ep.status!.url}`)
    .sort();
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export default function endpointsEnvController({ dir }: EndpointsEnvOptions) {
  const file = join(dir, '.apphost', 'endpoints.env');
  return defineController({
    name: 'endpoints-env',
    for: 'Endpoint',
    // Every Endpoint change rewrites the one file: level-triggered, so any key will do.
    concurrency: 1,
    async reconcile(_key, { client, log }) {
      const content = renderEndpointsEnv(await client.list<Endpoint>('Endpoint'));
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current === content) return;
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, content);
      await rename(temporary, file);
      log.debug({ file }, 'endpoints.env updated');
    },
  });
}
