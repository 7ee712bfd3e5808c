export { createNamespacesController, BUILTIN_NAMESPACED_KINDS } from './controller.ts';
export type { NamespacesControllerOptions } from './controller.ts';
