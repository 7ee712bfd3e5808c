// The apphost API kinds (group apphost.dev, version v1). The CRDs in crds/ are the schema the
// server validates against; these types are the TypeScript view of the same objects.

export const GROUP = 'apphost.dev';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const DEFAULT_NAMESPACE = 'default';
/** The finalizer in a Namespace's spec.finalizers that holds it until everything in it is gone. */
export const NAMESPACE_FINALIZER = 'kubernetes';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Any object the store holds: apiVersion, kind, metadata, and whatever else its schema allows. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface CommonStatus {
  phase?: string;
  conditions?: Condition[];
  observedGeneration?: number;
}

// ---------------------------------------------------------------- Resource

export type Lifetime = 'Session' | 'Persistent';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
export type Protocol = 'TCP' | 'UDP';

export interface EndpointSpec {
  /** Defaults to the scheme (which defaults to the lower-cased protocol). */
  name?: string;
  scheme?: string;
  protocol?: Protocol;
  transport?: string;
  /** Host / proxy port; omitted: a random free port. */
  port?: number;
  /** Where the app listens; omitted: a free port per replica, handed over in `env`. */
  targetPort?: number;
  /** Variable that receives the target port (e.g. PORT). */
  env?: string;
  isProxied?: boolean;
  isExternal?: boolean;
  excludeFromReferences?: boolean;
  /** scheme https: `app` (default) serves TLS itself with apphost's dev certificate; `proxy` terminates it. */
  tlsTermination?: 'app' | 'proxy';
}

export interface LaunchProfileRef {
  file?: string;
  name?: string;
}

export interface ExecutableSpec {
  command: string;
  args?: string[];
  workingDir?: string;
  launchProfile?: LaunchProfileRef;
  /**
   * The container image this executable ships as when exported (`apphostctl export`), e.g.
   * `ghcr.io/org/api:1.2`. Ignored by the local run, which starts the command on the host.
   */
  image?: string;
}

export interface VolumeSpec {
  source?: string;
  target: string;
  readOnly?: boolean;
  type?: 'bind' | 'volume';
}

export interface ContainerSpec {
  image: string;
  tag?: string;
  command?: string;
  args?: string[];
  volumes?: VolumeSpec[];
  networkAliases?: string[];
}

export type EndpointProperty = 'url' | 'host' | 'port' | 'targetPort' | 'scheme' | 'hostAndPort';

export interface EnvVar {
  name: string;
  value?: string;
  /** Exactly one of endpoint or parameter. */
  valueFrom?: { endpoint?: { resource: string; name?: string; property?: EndpointProperty }; parameter?: { name: string } };
}

export interface ReferenceSpec {
  resource: string;
  endpoint?: string;
  /** One of the resource's spec.databases: ConnectionStrings__<database>. */
  database?: string;
}

/** A parameter a resource declares; its value lives outside the API (env, .apphost/secrets.json). */
export interface ParameterSpec {
  name: string;
  secret?: boolean;
  /** Default value (not for secrets). */
  value?: string;
  /** Generate a random value when none is configured, and keep it. */
  generate?: { length?: number };
}

export interface DatabaseSpec {
  name: string;
  /** Name on the server (default name). */
  databaseName?: string;
  /** Template; default `{connectionString};Database=<databaseName>`. */
  connectionString?: string;
}

export type WaitCondition = 'Running' | 'Healthy' | 'Completed';

export interface WaitForSpec {
  resource: string;
  condition?: WaitCondition;
}

export type HealthCheckType = 'http' | 'tcp' | 'redis' | 'postgres' | 'amqp';

export interface HealthCheckSpec {
  type?: HealthCheckType;
  endpoint?: string;
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
}

export interface ResourceSpec {
  executable?: ExecutableSpec;
  container?: ContainerSpec;
  replicas?: number;
  /** Stop every replica (phase Stopped) while keeping `replicas`; false or absent: run them. */
  stopped?: boolean;
  lifetime?: Lifetime;
  env?: EnvVar[];
  endpoints?: EndpointSpec[];
  references?: ReferenceSpec[];
  waitFor?: WaitForSpec[];
  parameters?: ParameterSpec[];
  /** Template over endpoints and parameters, injected as ConnectionStrings__<name> into referencing resources. */
  connectionString?: string;
  databases?: DatabaseSpec[];
  healthCheck?: HealthCheckSpec;
  restartPolicy?: RestartPolicy;
  stopGracePeriodSeconds?: number;
}

export type ResourcePhase =
  | 'Pending'
  | 'Waiting'
  | 'Starting'
  | 'Running'
  | 'Degraded'
  | 'Failed'
  | 'Stopped';

export interface ResourceStatus extends CommonStatus {
  phase?: ResourcePhase;
  /** executable or container, for tables. */
  type?: string;
  /** Why the resource is in its phase (CrashLoopBackOff, PortInUse, ...), for tables. */
  reason?: string;
  message?: string;
  replicas?: number;
  readyReplicas?: number;
  /** Label selector of this resource's Replicas (`apphost.dev/resource=<name>`), for the scale subresource. */
  selector?: string;
  /** Restarts of the current replicas, summed (as kubectl get pods shows RESTARTS). */
  restarts?: number;
}

export interface Resource extends KubeObject {
  kind: 'Resource';
  spec: ResourceSpec;
  status?: ResourceStatus;
}

// ---------------------------------------------------------------- Replica

export type ReplicaState =
  | 'Pending'
  | 'Waiting'
  | 'Starting'
  | 'Running'
  | 'Exited'
  | 'Failed'
  | 'Stopped';

export interface ReplicaEndpointPort {
  name: string;
  targetPort: number;
  /** Host port where the replica is reachable from the host (containers: the published port). */
  hostPort?: number;
}

export interface ReplicaSpec {
  resource: string;
  index: number;
  /** Effective env, resolved by the replicas controller. */
  env?: { name: string; value: string }[];
  ports?: ReplicaEndpointPort[];
  /** Hash of the parts of the resource spec that require a restart when they change. */
  templateHash?: string;
}

export interface ReplicaStatus extends CommonStatus {
  state?: ReplicaState;
  pid?: number;
  containerId?: string;
  exitCode?: number;
  restarts?: number;
  ready?: boolean;
  ports?: ReplicaEndpointPort[];
  env?: { name: string; value: string }[];
  startedAt?: string;
  finishedAt?: string;
  message?: string;
}

export interface Replica extends KubeObject {
  kind: 'Replica';
  spec: ReplicaSpec;
  status?: ReplicaStatus;
}

// ---------------------------------------------------------------- Endpoint

export interface EndpointTarget {
  replica: string;
  address: string;
  port: number;
  ready: boolean;
}

export interface EndpointObjectSpec extends EndpointSpec {
  resource: string;
}

export interface EndpointStatus extends CommonStatus {
  address?: string;
  port?: number;
  url?: string;
  proxied?: boolean;
  targets?: EndpointTarget[];
  readyTargets?: string;
}

export interface Endpoint extends KubeObject {
  kind: 'Endpoint';
  spec: EndpointObjectSpec;
  status?: EndpointStatus;
}

// ---------------------------------------------------------------- Network

export interface NetworkSpec {
  lifetime?: Lifetime;
  driver?: string;
  app?: string;
}

export interface NetworkAttachment {
  replica: string;
  aliases?: string[];
}

export interface NetworkStatus extends CommonStatus {
  runtimeName?: string;
  id?: string;
  subnet?: string;
  gateway?: string;
  attachments?: NetworkAttachment[];
}

export interface Network extends KubeObject {
  kind: 'Network';
  spec: NetworkSpec;
  status?: NetworkStatus;
}

// ---------------------------------------------------------------- Proxy

export type ProxyPolicy = 'RoundRobin' | 'Random' | 'LeastConnections';

export interface ProxyBackend {
  name: string;
  address: string;
  port: number;
  ready?: boolean;
}

export interface ProxySpec {
  listen: { address: string; port?: number };
  protocol?: Protocol;
  backends?: ProxyBackend[];
  policy?: ProxyPolicy;
  clientIPAffinity?: boolean;
  /** What a TCP connection gets while no backend is ready (default Hold). */
  whenNoBackend?: 'Hold' | 'Reject';
  /** CIDRs or addresses of the clients served; others are reset. Omitted: everyone. */
  allowedClients?: string[];
  /** Terminate TLS with these PEM files; backends get plain TCP. */
  tls?: { certFile: string; keyFile: string };
}

export interface ProxyStatus extends CommonStatus {
  address?: string;
  port?: number;
  activeConnections?: number;
  totalConnections?: number;
  bytesIn?: number;
  bytesOut?: number;
  failedConnects?: number;
  refusedConnections?: number;
  lastError?: string;
  /** Every address:port it listens on, container tunnels to it included (`172.18.0.1:5066`). */
  listening?: string[];
  /** `<ready>/<total>` backends, for tables. */
  readyBackends?: string;
}

export interface Proxy extends KubeObject {
  kind: 'Proxy';
  spec: ProxySpec;
  status?: ProxyStatus;
}

export type ApphostKind = 'Resource' | 'Replica' | 'Endpoint' | 'Network' | 'Proxy';
