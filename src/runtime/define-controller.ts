// defineController: the public entry point for writing a controller. Identity plus validation, so a
// malformed definition fails when it is declared, with a clear message, not at the first event.
import { RuntimeError } from './errors.ts';
import type { ControllerDefinition } from './types.ts';

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function defineController<D extends ControllerDefinition>(def: D): D {
  const problems = validateController(def);
  if (problems.length > 0) {
    const name = typeof def?.name === 'string' && def.name ? ` "${def.name}"` : '';
    throw new RuntimeError('ERR_INVALID_CONTROLLER', `invalid controller${name}: ${problems.join('; ')}`);
  }
  return def;
}

export function validateController(def: ControllerDefinition): string[] {
  const problems: string[] = [];
  if (!def || typeof def !== 'object') return ['definition must be an object'];
  if (typeof def.name !== 'string' || !NAME.test(def.name)) {
    problems.push('name must be 1-63 lower-case letters, digits or "-"');
  }
  if (typeof def.for !== 'string' || def.for.trim() === '') problems.push('for must name a kind');
  if (typeof def.reconcile !== 'function') problems.push('reconcile must be a function');
  if (def.owns !== undefined) {
    if (!Array.isArray(def.owns) || def.owns.some((t) => typeof t !== 'string' || t.trim() === '')) {
      problems.push('owns must be a list of kind names');
    }
  }
  if (def.watches !== undefined) {
    if (!Array.isArray(def.watches)) problems.push('watches must be a list');
    else {
      def.watches.forEach((w, i) => {
        if (!w || typeof w.type !== 'string' || w.type.trim() === '') problems.push(`watches[${i}].type must name a kind`);
        if (!w || typeof w.map !== 'function') problems.push(`watches[${i}].map must be a function`);
      });
    }
  }
  if (def.concurrency !== undefined && (!Number.isInteger(def.concurrency) || def.concurrency < 1)) {
    problems.push('concurrency must be a positive integer');
  }
  if (def.setup !== undefined && typeof def.setup !== 'function') problems.push('setup must be a function');
  if (def.dispose !== undefined && typeof def.dispose !== 'function') problems.push('dispose must be a function');
  return problems;
}
