// Loads a TypeScript/JavaScript apphost file in-process and returns the manifests it builds,
// without starting anything: the file's `build().run()` hands them over (see capture.ts). A file
// may instead `export default` its builder or built app.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
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

/** Whether Node treats a .ts/.js file here as an ES module (nearest package.json has type: module). */
export function isModuleScope(file: string): boolean {
  let dir = dirname(resolve(file));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/**
 * An apphost file uses import and top-level await, so it must load as an ES module. A .ts/.js file
 * outside a `"type": "module"` package would load as CommonJS: load an .mts/.mjs copy beside it
 * instead (same folder, so its relative imports still resolve), removed right after.
 */
export async function importAsModule(abs: string): Promise<{ default?: unknown }> {
  const ext = extname(abs).toLowerCase();
  if ((ext === '.ts' || ext === '.js') && !isModuleScope(abs)) {
    const stem = join(dirname(abs), `.${basename(abs, ext)}.apphost-${process.pid}-${++loads}`);
    const copy = `${stem}${ext === '.ts' ? '.mts' : '.mjs'}`;
    writeFileSync(copy, readFileSync(abs));
    try {
      return (await import(pathToFileURL(copy).href)) as { default?: unknown };
    } catch (err) {
      // Name the user's file, not the copy (tools may print it with any of these extensions).
      if (err instanceof Error) {
        err.message = err.message.replace(new RegExp(`${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(m?ts|m?js)`, 'g'), abs);
      }
      throw err;
    } finally {
      rmSync(copy, { force: true });
    }
  }
  // A query makes a second load of the same file (tests, apply after manifest) run it again.
  return (await import(`${pathToFileURL(abs).href}?apphost-load=${++loads}`)) as { default?: unknown };
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
