// Lets apphost files import the package by name (`import { createBuilder } from 'apphost'`, as in
// DESIGN.md 5b) wherever they live: when 'apphost' does not resolve from the file (not installed
// there), it resolves to this copy's src/index.ts. Installed copies still win.
import { register } from 'node:module';

let registered = false;

export function registerApphostResolution(): void {
  if (registered) return;
  registered = true;
  const target = new URL('../index.ts', import.meta.url).href;
  const hook = `export async function resolve(specifier, context, next) {
  if (specifier !== 'apphost') return next(specifier, context);
  try { return await next(specifier, context); }
  catch { return next(${JSON.stringify(target)}, context); }
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
