export { createBuilder, ApphostBuilder } from './builder.ts';
export type { BuiltApphost, CreateBuilderOptions, RunOptions } from './builder.ts';
export { ResourceBuilder } from './resource-builder.ts';
export { EndpointReference } from './endpoint-reference.ts';
export { BuilderError, isBuilderError } from './errors.ts';
export type { BuilderErrorCode } from './errors.ts';
export { beginCapture, endCapture, activeCapture } from './capture.ts';
export type { Capture } from './capture.ts';
export { loadApphostFile } from './load-apphost-file.ts';
export type {
  ContainerOptions,
  EndpointOptions,
  HealthCheckOptions,
  LifetimeOption,
  MutableEndpoint,
  ProjectOptions,
  ResourceType,
} from './types.ts';
