// Public surface of the container runtime adapter.
export type * from './types.ts';
export {
  ContainerRuntimeError,
  DOCKER_UNAVAILABLE_MESSAGE,
  isContainerRuntimeError,
  toContainerRuntimeError,
  type ContainerRuntimeErrorCode,
} from './errors.ts';
export { createDockerRuntime, type DockerRuntimeOptions } from './docker-runtime.ts';
export { createLogDemuxer } from './log-demux.ts';
