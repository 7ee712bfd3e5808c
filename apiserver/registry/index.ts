// Public surface of the registry: kinds from CRDs, admission, JSONPath and table printing.
import { fileURLToPath } from 'node:url';
import { registerBuiltinValidators } from './validators.ts';
import { loadCrdFiles } from './load-crds.ts';
import { createRegistry, type CrdRegistry } from './registry.ts';
import { placeholderKinds } from './placeholder-kinds.ts';

export { createRegistry, type CrdRegistry, type RegistryOptions } from './registry.ts';
export { loadCrdFile, loadCrdFiles, type LoadedCrd } from './load-crds.ts';
export { crdErrors, kindInfoFromCrd } from './crd.ts';
export { structuralErrors } from './structural.ts';
export { placeholderKinds, placeholderRefusal } from './placeholder-kinds.ts';
export { RegistryError, isRegistryError, type RegistryErrorCode } from './errors.ts';
export { evaluateJsonPath, findJsonPathResults, compileJsonPath, JsonPathError } from './jsonpath.ts';
export { printerCells, tableColumns, humanDuration, type TableColumnDefinition, type PrinterOptions } from './printer.ts';
export type * from '../../src/api/registry.ts';

/** The folder with the built-in CRDs (crds/ at the package root). */
export const BUILTIN_CRD_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

export interface ApphostRegistryOptions {
  /** Users' CRD folders or files (`apphostctl up --crds dir`), loaded after the built-in ones. */
  extraCrdDirs?: string[];
  /** Users' CRD objects, added last. */
  extraCrds?: object[];
}

/** The core v1 kinds the API server serves besides the CRDs (Event, Namespace). */
export const CORE_KIND_DIR = fileURLToPath(new URL('./core/', import.meta.url));

/**
 * The registry apphost runs with: the core kinds, the placeholders of kubectl's prune allowlist,
 * built-in CRDs, their validators, then the user's CRDs.
 */
export function createApphostRegistry(options: ApphostRegistryOptions = {}): CrdRegistry {
  const registry = createRegistry();
  registry.addCoreKinds(loadCrdFiles(CORE_KIND_DIR));
  registry.addPlaceholderKinds(placeholderKinds());
  for (const dir of [BUILTIN_CRD_DIR, ...(options.extraCrdDirs ?? [])]) registry.addCrdDir(dir);
  if (options.extraCrds) registry.addCrds(options.extraCrds);
  registerBuiltinValidators(registry);
  return registry;
}
