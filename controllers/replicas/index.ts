export {
  createReplicasController,
  READY,
  PORTS_ALLOCATED,
  DEPENDENCIES_READY,
  REFERENCES_RESOLVED,
  type ReplicasControllerOptions,
} from './controller.ts';
export { sharedEnv, replicaEnv, envDependencies, type EnvInputs, type EnvVarValue } from './env.ts';
export { computePhase, type PhaseInputs, type PhaseResult } from './phase.ts';
export { evaluateWait, DEFAULT_WAIT_CONDITION, type WaitState } from './wait-for.ts';
export { templateHash, stableStringify } from './template-hash.ts';
export { consumerView, endpointProperty } from './resolve-endpoint.ts';
