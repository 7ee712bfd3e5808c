// Loads a TypeScript/JavaScript apphost file in-process and returns the manifests it builds,
// without starting anything: the file's `build().run()` hands them over (see capture.ts). A file
// may instead `export default` its builder or built app.
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../api/types.ts';
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

let loads = 0;

export async function loadApphostFile(file: string): Promise<LoadedApphost> {
  const abs = resolve(file);
  const capture = beginCapture(dirname(abs));
  try {
    // A query makes a second load of the same file (tests, apply after manifest) run it again.
    const mod = (await import(`${pathToFileURL(abs).href}?apphost-load=${++loads}`)) as { default?: unknown };
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
