export { createHealthController, READY_CONDITION } from './controller.ts';
export type { HealthControllerOptions } from './controller.ts';
export { probeTarget, PROBE_HOST } from './probe-target.ts';
export type { ProbeTarget } from './probe-target.ts';
