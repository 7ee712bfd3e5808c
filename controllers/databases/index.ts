export { createDatabasesController, DATABASES_READY } from './controller.ts';
export type { DatabasesControllerOptions } from './controller.ts';
