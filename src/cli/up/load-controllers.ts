// `apphostctl up --controller ./my-controller.ts`: a module whose default export is a controller
// definition (from defineController), a list of them, or a function returning either. The function
// gets the controller context: `{ dir }`, the application folder (where `.apphost/` lives).
import { resolve } from 'node:path';
import { importAsModule } from '../../host/import-module.ts';
import { validateController } from '../../runtime/define-controller.ts';
import type { ControllerDefinition } from '../../runtime/types.ts';
import { CliError } from '../errors.ts';

function looksLikeController(v: unknown): v is ControllerDefinition {
  return !!v && typeof v === 'object' && typeof (v as ControllerDefinition).reconcile === 'function';
}

export interface ControllerContext {
  /** The application folder: `.apphost/` lives here. */
  dir: string;
}

export async function loadControllerFiles(files: string[], context: ControllerContext): Promise<ControllerDefinition[]> {
  const out: ControllerDefinition[] = [];
  for (const file of files) {
    let mod: Record<string, unknown>;
    try {
      mod = (await importAsModule(resolve(file))) as Record<string, unknown>;
    } catch (err) {
      const msg = (err as Error).message?.split('\n')[0] ?? String(err);
      throw new CliError('BAD_INPUT', `--controller ${file}: cannot load it: ${msg}`);
    }
    let value: unknown = mod.default ?? Object.values(mod).find((v) => looksLikeController(v) || Array.isArray(v));
    if (typeof value === 'function') value = await (value as (ctx: ControllerContext) => unknown)(context);
    const defs = Array.isArray(value) ? value : [value];
    if (defs.length === 0 || !defs.every(looksLikeController)) {
      throw new CliError('BAD_INPUT', `--controller ${file}: export default a controller (defineController({...})), a list of them, or a function returning one`);
    }
    for (const d of defs) {
      const problems = validateController(d);
      if (problems.length) throw new CliError('BAD_INPUT', `--controller ${file}: ${problems.join('; ')}`);
      out.push(d);
    }
  }
  return out;
}
