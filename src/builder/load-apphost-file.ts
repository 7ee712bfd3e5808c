// Loads a TypeScript/JavaScript apphost file in-process and returns the manifests it builds,
// without starting anything: the file's `build().run()` hands them over (see capture.ts). A file
// may instead `export default` its builder or built app.
import { dirname, resolve } from 'node:path';
import type { KubeObject } from '../api/types.ts';
import { importAsModule } from '../host/import-module.ts';
import { ApphostBuilder, type BuiltApphost } from './builder.ts';
import { beginCapture, endCapture } from './capture.ts';
import { BuilderError } from './errors.ts';

export const APPHOST_FILE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

export function isApphostFile(path: string): boolean {
  return APPHOST_FILE_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext));
}

export interface LoadedApphost {
  manifests: KubeObject[];
  /** createBuilder({ name }) of the file, if given. */
  name?: string;
}

/** One line from whatever loading the file threw: `Transform failed with 1 error:` + its detail. */
function condense(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const first = lines[0] ?? 'failed to load';
  return first.endsWith(':') && lines[1] ? `${first} ${lines[1]}` : first;
}

export async function loadApphostFile(file: string): Promise<LoadedApphost> {
  const abs = resolve(file);
  const capture = beginCapture(dirname(abs));
  try {
    let mod: { default?: unknown };
    try {
      mod = await importAsModule(abs);
    } catch (err) {
      throw new BuilderError('BUILDER_LOAD_FAILED', `${file}: ${condense(err)}`);
    }
    if (!capture.manifests) {
      const d = mod.default;
      if (d instanceof ApphostBuilder) return { manifests: d.build().manifests(), name: d.name };
      if (d && typeof (d as BuiltApphost).manifests === 'function') {
        return { manifests: (d as BuiltApphost).manifests(), name: (d as BuiltApphost).name };
      }
      throw new BuilderError(
        'BUILDER_NO_RUN',
        `${file}: the apphost file never called builder.build().run() (nor exports a builder as default)`,
      );
    }
    return { manifests: capture.manifests, name: capture.name };
  } finally {
    endCapture(capture);
  }
}
