export { createLogRetentionController } from './controller.ts';
export type { LogRetentionControllerOptions } from './controller.ts';
