// The container runtime contract: the small surface the containers and networks controllers need
// from a container engine. `createDockerRuntime` implements it with dockerode against a real
// daemon; `createFakeContainerRuntime` in memory for controller tests.

export type PortProtocol = 'tcp' | 'udp';

export interface PortBinding {
  /** Port inside the container. */
  containerPort: number;
  protocol?: PortProtocol;
  /** Host port to publish on; 0 or omitted: the runtime picks a free one. */
  hostPort?: number;
  /** Host address to publish on. Default 127.0.0.1. */
  hostIp?: string;
}

export interface VolumeMount {
  /** Host path (bind) or volume name (volume). Omitted: an anonymous volume. */
  source?: string;
  target: string;
  readOnly?: boolean;
  type?: 'bind' | 'volume';
}

export interface NetworkAttachOptions {
  /** Network name or id. */
  network: string;
  /** DNS names this container answers to on that network (in addition to its container name). */
  aliases?: string[];
}

export interface RunContainerOptions {
  name: string;
  /** Image reference, e.g. `redis:7` or `apphost-test/busybox:latest`. */
  image: string;
  /** Replaces the image's entrypoint. */
  command?: string;
  /** Replaces the image's CMD (arguments to the entrypoint). */
  args?: string[];
  env?: Record<string, string>;
  labels?: Record<string, string>;
  ports?: PortBinding[];
  volumes?: VolumeMount[];
  /** The network the container starts attached to. */
  network?: NetworkAttachOptions;
  /** Extra /etc/hosts entries, `{ 'host.apphost.internal': '172.18.0.1' }`. */
  extraHosts?: Record<string, string>;
  workingDir?: string;
  /** Do not start, only create. Default false. */
  createOnly?: boolean;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface PublishedPort {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: number;
}

export interface ContainerNetworkInfo {
  networkId: string;
  ip: string;
  aliases: string[];
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  running: boolean;
  exitCode: number;
  /** Daemon error for a container that failed to start (e.g. an entrypoint not found). */
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  labels: Record<string, string>;
  ports: PublishedPort[];
  /** Keyed by network name. */
  networks: Record<string, ContainerNetworkInfo>;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  labels: Record<string, string>;
}

export interface LabelFilter {
  /** `key` (has label) or `key=value`. All must match. */
  labels?: string[];
}

export interface StopOptions {
  /** Seconds between SIGTERM and SIGKILL. Default 10. */
  graceSeconds?: number;
}

export type ContainerEventAction = 'create' | 'start' | 'die' | 'stop' | 'kill' | 'destroy' | 'oom' | 'restart' | string;

export interface ContainerEvent {
  type: 'container' | 'network';
  action: ContainerEventAction;
  /** Container id (container events) or network id (network events). */
  id: string;
  name?: string;
  labels: Record<string, string>;
  /** Set on `die`. */
  exitCode?: number;
  /** Network events: the container that was connected / disconnected. */
  container?: string;
  time: Date;
}

export interface EventSubscriptionOptions extends LabelFilter {
  onEvent(event: ContainerEvent): void;
  /** The stream broke (daemon down); the subscription keeps reconnecting until closed. */
  onError?(err: Error): void;
  /** Called on every (re)connection: events may have been missed before it, so resync state. */
  onConnected?(): void;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface LogOptions {
  /** Keep streaming until the container stops or the subscription is closed. Default true. */
  follow?: boolean;
  /** Only lines newer than this (unix seconds). */
  since?: number;
  /** How many trailing lines to send first; default all. */
  tail?: number;
  onLine(line: LogLine): void;
}

export interface Subscription {
  close(): void;
  /** Resolves when the stream ended (container stopped, not following, or closed). */
  readonly done: Promise<void>;
}

export interface CreateNetworkOptions {
  name: string;
  driver?: string;
  labels?: Record<string, string>;
}

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  subnet?: string;
  gateway?: string;
  labels: Record<string, string>;
  /** Attached containers keyed by container id. */
  containers: Record<string, { name: string; ip: string }>;
}

export interface ContainerRuntime {
  /** Where the runtime talks to, for messages: `/var/run/docker.sock`. */
  readonly endpoint: string;
  /** Resolves when the daemon answers; throws DOCKER_UNAVAILABLE with a one-line hint otherwise. */
  ping(): Promise<void>;
  available(): Promise<boolean>;

  /** Create and (unless createOnly) start a container. DOCKER_CONFLICT when the name is taken. */
  runContainer(options: RunContainerOptions): Promise<ContainerInfo>;
  /** Start an existing (stopped) container again. */
  startContainer(id: string): Promise<void>;
  /** Undefined when it does not exist. */
  inspectContainer(idOrName: string): Promise<ContainerInfo | undefined>;
  /** Stops with SIGTERM, then SIGKILL after the grace period. No error when already stopped or gone. */
  stopContainer(id: string, options?: StopOptions): Promise<void>;
  /** Removes (force: kills first). No error when already gone. */
  removeContainer(id: string, options?: { force?: boolean }): Promise<void>;
  /** All containers (running or not) matching the filter. */
  listContainers(filter?: LabelFilter): Promise<ContainerSummary[]>;
  logs(id: string, options: LogOptions): Subscription;
  /** Container (and network) events, filtered by label; reconnects until closed. */
  subscribeEvents(options: EventSubscriptionOptions): Subscription;

  createNetwork(options: CreateNetworkOptions): Promise<NetworkInfo>;
  /** Undefined when it does not exist. */
  inspectNetwork(idOrName: string): Promise<NetworkInfo | undefined>;
  connectNetwork(network: string, container: string, options?: { aliases?: string[] }): Promise<void>;
  /** No error when not connected. */
  disconnectNetwork(network: string, container: string, options?: { force?: boolean }): Promise<void>;
  /** No error when already gone. DOCKER_CONFLICT while containers are attached. */
  removeNetwork(idOrName: string): Promise<void>;
  listNetworks(filter?: LabelFilter): Promise<NetworkInfo[]>;
}
