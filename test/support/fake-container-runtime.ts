// In-memory ContainerRuntime for controller tests: no daemon, deterministic ids, ports and
// addresses, and simulators for the things a daemon does on its own (a container exits, the
// daemon goes away, a port is taken).
import { ContainerRuntimeError, DOCKER_UNAVAILABLE_MESSAGE } from '../../src/platform/docker/errors.ts';
import type { ContainerRuntimeErrorCode } from '../../src/platform/docker/errors.ts';
import type {
  ContainerEvent,
  ContainerInfo,
  ContainerRuntime,
  EventSubscriptionOptions,
  LabelFilter,
  LogLine,
  LogOptions,
  NetworkInfo,
  RunContainerOptions,
  Subscription,
} from '../../src/platform/docker/types.ts';

interface FakeContainer {
  info: ContainerInfo;
  options: RunContainerOptions;
  logs: LogLine[];
  logListeners: Set<(l: LogLine) => void>;
}

export interface FakeContainerRuntime extends ContainerRuntime {
  /** The container's process exits with `exitCode` (emits `die`). */
  simulateExit(id: string, exitCode: number): void;
  /** The daemon goes down (every call fails with DOCKER_UNAVAILABLE, event streams break) or comes back. */
  setDaemonDown(down: boolean): void;
  /** The next runContainer fails with this code. */
  failNextRun(code: ContainerRuntimeErrorCode, message?: string): void;
  /** The next createNetwork fails with this code (e.g. no free address pool: DOCKER_FAILED). */
  failNextNetworkCreate(code: ContainerRuntimeErrorCode, message?: string): void;
  /** Append a log line to a container. */
  writeLog(id: string, line: LogLine): void;
  /** Options the container was created with (for assertions). */
  createdWith(idOrName: string): RunContainerOptions | undefined;
  /** Every runtime call, in order: `run:<name>`, `stop:<id>`, `remove:<id>`, ... */
  readonly calls: string[];
  readonly containers: ReadonlyMap<string, ContainerInfo>;
  readonly networks: ReadonlyMap<string, NetworkInfo>;
}

function matches(labels: Record<string, string>, filter?: LabelFilter): boolean {
  return (filter?.labels ?? []).every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

const clone = <T>(v: T): T => structuredClone(v);

export interface FakeContainerRuntimeOptions {
  endpoint?: string;
  now?: () => Date;
  /** Subnet and gateway of the n-th network created (from 1). Default 10.88.<n>.0/24 and .1. */
  addressing?: (n: number) => { subnet: string; gateway: string };
}

export function createFakeContainerRuntime(options: FakeContainerRuntimeOptions = {}): FakeContainerRuntime {
  const endpoint = options.endpoint ?? '/var/run/docker.sock';
  const now = options.now ?? (() => new Date());
  const containers = new Map<string, FakeContainer>();
  const networks = new Map<string, NetworkInfo>();
  const subscribers = new Set<EventSubscriptionOptions>();
  const calls: string[] = [];
  let down = false;
  let nextId = 1;
  let nextPort = 32768;
  let nextSubnet = 1;
  let failNext: ContainerRuntimeError | undefined;
  let failNextNetwork: ContainerRuntimeError | undefined;

  const newId = (): string => (nextId++).toString(16).padStart(12, '0') + 'f'.repeat(52);
  const check = (): void => {
    if (down) throw new ContainerRuntimeError('DOCKER_UNAVAILABLE', DOCKER_UNAVAILABLE_MESSAGE(endpoint));
  };
  const findContainer = (idOrName: string): FakeContainer | undefined => {
    for (const c of containers.values()) {
      if (c.info.id === idOrName || c.info.name === idOrName || (idOrName.length >= 12 && c.info.id.startsWith(idOrName))) return c;
    }
    return undefined;
  };
  const findNetwork = (idOrName: string): NetworkInfo | undefined => {
    for (const n of networks.values()) if (n.id === idOrName || n.name === idOrName) return n;
    return undefined;
  };
  const emit = (c: FakeContainer, action: string, exitCode?: number): void => {
    const event: ContainerEvent = {
      type: 'container',
      action,
      id: c.info.id,
      name: c.info.name,
      labels: { ...c.info.labels, name: c.info.name, image: c.info.image },
      ...(exitCode !== undefined ? { exitCode } : {}),
      time: now(),
    };
    for (const s of subscribers) if (matches(c.info.labels, s)) queueMicrotask(() => s.onEvent(clone(event)));
  };
  const attach = (c: FakeContainer, netName: string, aliases: string[]): void => {
    const n = findNetwork(netName);
    if (!n) throw new ContainerRuntimeError('DOCKER_NOT_FOUND', `network ${netName} not found`, { statusCode: 404 });
    if (c.info.networks[n.name]) throw new ContainerRuntimeError('DOCKER_CONFLICT', `container ${c.info.name} is already attached to ${n.name}`, { statusCode: 403 });
    const ip = n.subnet!.replace(/0\/24$/, String(Object.keys(n.containers).length + 2));
    n.containers[c.info.id] = { name: c.info.name, ip };
    c.info.networks[n.name] = { networkId: n.id, ip, aliases: [...aliases] };
  };
  const stop = (c: FakeContainer, exitCode: number, action: 'die' | 'kill'): void => {
    if (!c.info.running) return;
    c.info.running = false;
    c.info.state = 'exited';
    c.info.exitCode = exitCode;
    c.info.finishedAt = now().toISOString();
    if (action === 'kill') emit(c, 'kill');
    emit(c, 'die', exitCode);
    if (action === 'kill') emit(c, 'stop');
    for (const l of c.logListeners) l({ stream: 'stdout', line: '\u0000eof' });
  };
  const start = (c: FakeContainer): void => {
    c.info.running = true;
    c.info.state = 'running';
    c.info.exitCode = 0;
    c.info.startedAt = now().toISOString();
    emit(c, 'start');
  };

  const runtime: FakeContainerRuntime = {
    endpoint,
    calls,
    get containers() {
      return new Map([...containers.values()].map((c) => [c.info.id, clone(c.info)]));
    },
    get networks() {
      return new Map([...networks.values()].map((n) => [n.id, clone(n)]));
    },
    async ping() {
      check();
    },
    async available() {
      return !down;
    },
    async runContainer(o) {
      calls.push(`run:${o.name}`);
      check();
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
      if (findContainer(o.name)) {
        throw new ContainerRuntimeError('DOCKER_CONFLICT', `create container ${o.name}: name already in use`, { statusCode: 409 });
      }
      for (const p of o.ports ?? []) {
        if (!p.hostPort) continue;
        for (const other of containers.values()) {
          if (other.info.running && other.info.ports.some((q) => q.hostPort === p.hostPort)) {
            throw new ContainerRuntimeError('DOCKER_PORT_IN_USE', `start container ${o.name}: port is already allocated`, { statusCode: 500 });
          }
        }
      }
      const c: FakeContainer = {
        options: clone(o),
        logs: [],
        logListeners: new Set(),
        info: {
          id: newId(),
          name: o.name,
          image: o.image,
          state: 'created',
          running: false,
          exitCode: 0,
          labels: { ...(o.labels ?? {}) },
          ports: (o.ports ?? []).map((p) => ({
            containerPort: p.containerPort,
            protocol: p.protocol ?? 'tcp',
            hostIp: p.hostIp ?? '127.0.0.1',
            hostPort: p.hostPort || nextPort++,
          })),
          networks: {},
        },
      };
      if (o.network) attach(c, o.network.network, o.network.aliases ?? []);
      containers.set(c.info.id, c);
      emit(c, 'create');
      if (!o.createOnly) start(c);
      return clone(c.info);
    },
    async startContainer(id) {
      calls.push(`start:${id}`);
      check();
      const c = findContainer(id);
      if (!c) throw new ContainerRuntimeError('DOCKER_NOT_FOUND', `container ${id} not found`, { statusCode: 404 });
      if (!c.info.running) start(c);
    },
    async inspectContainer(idOrName) {
      check();
      const c = findContainer(idOrName);
      return c ? clone(c.info) : undefined;
    },
    async stopContainer(id) {
      calls.push(`stop:${id}`);
      check();
      const c = findContainer(id);
      if (c) stop(c, 143, 'kill');
    },
    async removeContainer(id, o = {}) {
      calls.push(`remove:${id}`);
      check();
      const c = findContainer(id);
      if (!c) return;
      if (c.info.running && !o.force) {
        throw new ContainerRuntimeError('DOCKER_CONFLICT', `remove container ${id}: container is running`, { statusCode: 409 });
      }
      stop(c, 137, 'kill');
      for (const n of networks.values()) delete n.containers[c.info.id];
      containers.delete(c.info.id);
      emit(c, 'destroy');
    },
    async listContainers(filter) {
      check();
      return [...containers.values()]
        .filter((c) => matches(c.info.labels, filter))
        .map((c) => ({ id: c.info.id, name: c.info.name, image: c.info.image, state: c.info.state, labels: { ...c.info.labels } }));
    },
    logs(id: string, o: LogOptions): Subscription {
      const c = findContainer(id);
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      if (!c || down) {
        resolveDone();
        return { close() {}, done };
      }
      const lines = o.tail !== undefined ? c.logs.slice(-o.tail) : c.logs;
      for (const l of lines) o.onLine(clone(l));
      if (!(o.follow ?? true) || !c.info.running) {
        resolveDone();
        return { close() {}, done };
      }
      const listener = (l: LogLine): void => {
        if (l.line === '\u0000eof') {
          c.logListeners.delete(listener);
          resolveDone();
        } else o.onLine(clone(l));
      };
      c.logListeners.add(listener);
      return {
        close() {
          c.logListeners.delete(listener);
          resolveDone();
        },
        done,
      };
    },
    subscribeEvents(o: EventSubscriptionOptions): Subscription {
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      subscribers.add(o);
      if (!down) queueMicrotask(() => subscribers.has(o) && o.onConnected?.());
      else queueMicrotask(() => o.onError?.(new ContainerRuntimeError('DOCKER_UNAVAILABLE', DOCKER_UNAVAILABLE_MESSAGE(endpoint))));
      return {
        close() {
          subscribers.delete(o);
          resolveDone();
        },
        done,
      };
    },
    async createNetwork(o) {
      calls.push(`network-create:${o.name}`);
      check();
      if (failNextNetwork) {
        const err = failNextNetwork;
        failNextNetwork = undefined;
        throw err;
      }
      if (findNetwork(o.name)) {
        throw new ContainerRuntimeError('DOCKER_CONFLICT', `create network ${o.name}: a network with this name already exists`, { statusCode: 409 });
      }
      const n = nextSubnet++;
      const info: NetworkInfo = {
        id: `net${String(n).padStart(9, '0')}${'e'.repeat(52)}`,
        name: o.name,
        driver: o.driver ?? 'bridge',
        ...(options.addressing?.(n) ?? { subnet: `10.88.${n}.0/24`, gateway: `10.88.${n}.1` }),
        labels: { ...(o.labels ?? {}) },
        containers: {},
      };
      networks.set(info.id, info);
      return clone(info);
    },
    async inspectNetwork(idOrName) {
      check();
      const n = findNetwork(idOrName);
      return n ? clone(n) : undefined;
    },
    async connectNetwork(network, container, o = {}) {
      calls.push(`connect:${network}:${container}`);
      check();
      const c = findContainer(container);
      if (!c) throw new ContainerRuntimeError('DOCKER_NOT_FOUND', `container ${container} not found`, { statusCode: 404 });
      attach(c, network, o.aliases ?? []);
    },
    async disconnectNetwork(network, container) {
      calls.push(`disconnect:${network}:${container}`);
      check();
      const n = findNetwork(network);
      const c = findContainer(container);
      if (!n || !c) return;
      delete n.containers[c.info.id];
      delete c.info.networks[n.name];
    },
    async removeNetwork(idOrName) {
      calls.push(`network-remove:${idOrName}`);
      check();
      const n = findNetwork(idOrName);
      if (!n) return;
      if (Object.keys(n.containers).length > 0) {
        throw new ContainerRuntimeError('DOCKER_CONFLICT', `remove network ${n.name}: network has active endpoints`, { statusCode: 403 });
      }
      networks.delete(n.id);
    },
    async listNetworks(filter) {
      check();
      return [...networks.values()].filter((n) => matches(n.labels, filter)).map(clone);
    },

    simulateExit(id, exitCode) {
      const c = findContainer(id);
      if (!c) throw new Error(`fake runtime: no container ${id}`);
      stop(c, exitCode, 'die');
    },
    setDaemonDown(value) {
      if (down === value) return;
      down = value;
      for (const s of subscribers) {
        if (down) queueMicrotask(() => s.onError?.(new ContainerRuntimeError('DOCKER_UNAVAILABLE', DOCKER_UNAVAILABLE_MESSAGE(endpoint))));
        else queueMicrotask(() => s.onConnected?.());
      }
    },
    failNextRun(code, message) {
      failNext = new ContainerRuntimeError(code, message ?? `simulated ${code}`);
    },
    failNextNetworkCreate(code, message) {
      failNextNetwork = new ContainerRuntimeError(code, message ?? `simulated ${code}`);
    },
    writeLog(id, line) {
      const c = findContainer(id);
      if (!c) throw new Error(`fake runtime: no container ${id}`);
      c.logs.push(clone(line));
      for (const l of c.logListeners) l(clone(line));
    },
    createdWith(idOrName) {
      const c = findContainer(idOrName);
      return c ? clone(c.options) : undefined;
    },
  };
  return runtime;
}
