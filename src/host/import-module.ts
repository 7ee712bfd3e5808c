// Loads a user's TypeScript/JavaScript file (an apphost file, a `--controller` module) as an ES
// module in this process, whatever the nearest package.json says.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

let loads = 0;

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
