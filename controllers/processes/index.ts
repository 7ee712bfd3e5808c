export { createProcessesController, effectiveEnv, PROCESS_FINALIZER, RUNNING_CONDITION } from './controller.ts';
export type { ProcessesControllerOptions } from './controller.ts';
export { RESTART_BACKOFF, nextRestart, shouldRestart } from '../shared/restart-policy.ts';
export type { RestartBackoffOptions } from '../shared/restart-policy.ts';
export { expandVars } from './expand-vars.ts';
