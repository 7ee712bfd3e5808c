// The package's public surface: `import { createBuilder, defineController } from 'apphost'`.
// Explicit on purpose: everything exported here is supported API.

import { registerApphostRunner } from './builder/runner.ts';

// The TypeScript builder (DESIGN.md section 5b). Its run() starts apphost in the foreground, as
// `apphostctl up` does; the CLI is loaded only when run() is called.
registerApphostRunner(async (request) => (await import('./cli/run-apphost.ts')).runApphost(request));
export { createBuilder, ApphostBuilder } from './builder/builder.ts';
export type { BuiltApphost, CreateBuilderOptions, RunOptions } from './builder/builder.ts';
export { ResourceBuilder } from './builder/resource-builder.ts';
export { EndpointReference } from './builder/endpoint-reference.ts';
export { ParameterReference, DatabaseReference } from './builder/parameter-reference.ts';
export { IntegrationBuilder, PostgresBuilder } from './builder/integration-builders.ts';
export { BuilderError, isBuilderError } from './builder/errors.ts';
export type { BuilderErrorCode } from './builder/errors.ts';
export type {
  ContainerOptions,
  EndpointOptions,
  HealthCheckOptions,
  LifetimeOption,
  MutableEndpoint,
  ParameterOptions,
  PostgresOptions,
  ProjectOptions,
  RabbitMQOptions,
  RedisOptions,
  ResourceType,
} from './builder/types.ts';

// Run apphost in-process (what `apphostctl up` and `builder.build().run()` use).
export { startApphost } from './host/start-apphost.ts';
export type { Apphost, StartApphostOptions } from './host/types.ts';
export { loadManifests } from './host/manifests.ts';

// Custom controllers (the same API the built-in controllers use).
export { defineController } from './runtime/define-controller.ts';
export { TerminalError, isTerminalError } from './runtime/errors.ts';
export { setCondition, removeCondition, getCondition, isTrue, isFalse } from './runtime/conditions.ts';
export type { ConditionInput } from './runtime/conditions.ts';
export type {
  Client,
  ControllerDefinition,
  ControllerHooks,
  ObjectKey,
  ReconcileContext,
  ReconcileResult,
  WatchSpec,
} from './runtime/types.ts';

// Service discovery for apps started by apphost.
export { resolveServiceUrl, resolveServiceUrls } from './discovery/resolve-service-url.ts';
export { DiscoveryError } from './discovery/errors.ts';

// .NET launch profiles and Kestrel endpoints.
export { deriveProjectEndpoints, projectEnvironment } from './dotnet/project-endpoints.ts';
export type { ProjectEndpoints } from './dotnet/project-endpoints.ts';

// The API kinds.
export { GROUP, VERSION, API_VERSION, DEFAULT_NAMESPACE } from './api/types.ts';
export type {
  ApphostKind,
  CommonStatus,
  Condition,
  ContainerSpec,
  Endpoint,
  EndpointObjectSpec,
  EndpointProperty,
  EndpointSpec,
  EndpointStatus,
  EndpointTarget,
  EnvVar,
  ExecutableSpec,
  HealthCheckSpec,
  KubeObject,
  LaunchProfileRef,
  Lifetime,
  Network,
  NetworkSpec,
  NetworkStatus,
  ObjectMeta,
  OwnerReference,
  Protocol,
  Proxy,
  ProxySpec,
  ProxyStatus,
  ReferenceSpec,
  Replica,
  ReplicaSpec,
  ReplicaState,
  ReplicaStatus,
  Resource,
  ResourcePhase,
  ResourceSpec,
  ResourceStatus,
  RestartPolicy,
  VolumeSpec,
  WaitCondition,
  WaitForSpec,
} from './api/types.ts';

// Reference variable names (`services__api__http__0`, `API_HTTP`) as apphost injects them.
export { envVariableName, serviceVariableName } from './api/endpoints.ts';
