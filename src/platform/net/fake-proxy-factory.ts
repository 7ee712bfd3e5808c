// The in-memory ProxyFactory for fast controller tests: no sockets. It keeps the same balancing
// (the shared Balancer), port bookkeeping and errors as the real one, and lets a test simulate
// connections, traffic and bind failures.
import { Balancer } from './balancer.ts';
import type { BackendSlot } from './balancer.ts';
import { clientFilter, type ClientFilter } from './client-filter.ts';
import { ProxyError } from './errors.ts';
import type {
  ProxyBackend,
  ProxyFactory,
  ProxyOptions,
  ProxyPolicy,
  ProxyProtocol,
  ProxyStats,
  RunningProxy,
  WhenNoBackend,
} from './types.ts';
import { validateBackends, validateOptions, validatePolicy, validateWhenNoBackend } from './validate.ts';

/** First port handed out for `port: 0`. */
const FAKE_PORT_BASE = 41000;

export interface FakeConnection {
  /** The backend the balancer chose. */
  readonly backend: ProxyBackend;
  /** Ends the simulated connection (active count goes down). Idempotent. */
  close(): void;
}

export interface FakeProxy extends RunningProxy {
  readonly options: ProxyOptions;
  readonly closed: boolean;
  /** The backends as last set (a copy). */
  readonly backends: ProxyBackend[];
  readonly policy: ProxyPolicy;
  readonly clientIPAffinity: boolean;
  readonly whenNoBackend: WhenNoBackend;
  /** How many times setBackends was called after start. */
  readonly backendUpdates: number;
  /**
   * A client connects: the balancer picks a ready backend exactly as the real proxy would.
   * Returns undefined when no backend is ready (the real proxy would hold the connection) or the
   * client is not in `allowedClients` (the real proxy would reset it).
   */
  simulateConnection(clientAddress?: string): FakeConnection | undefined;
  /** Adds traffic to the counters. */
  simulateTraffic(bytes: { bytesIn?: number; bytesOut?: number }): void;
  /** A failed connect to a backend: counts failedConnects and sets lastError. */
  simulateConnectFailure(message: string): void;
}

export interface FakeProxyFactory extends ProxyFactory {
  /** The next start() on this port rejects with ProxyError PortInUse (once). */
  failNextBind(port: number): void;
  /** Every start() on this port rejects with PortInUse until released (a foreign process holds it). */
  occupyPort(port: number): void;
  releasePort(port: number): void;
  /** Every proxy started, in order, closed ones included. */
  readonly proxies: readonly FakeProxy[];
  /** Proxies not closed yet. */
  running(): FakeProxy[];
  /** The running proxy on this port, if any. */
  find(port: number, protocol?: ProxyProtocol): FakeProxy | undefined;
}

export function createFakeProxyFactory(): FakeProxyFactory {
  const proxies: FakeProxyImpl[] = [];
  const failOnce = new Map<number, number>();
  const occupied = new Set<number>();
  let nextPort = FAKE_PORT_BASE;

  const inUse = (port: number, protocol: ProxyProtocol, address: string): boolean =>
    occupied.has(port) ||
    proxies.some((p) => !p.closed && p.port === port && p.protocol === protocol && overlaps(p.address, address));

  return {
    get proxies(): readonly FakeProxy[] {
      return proxies;
    },
    running: () => proxies.filter((p) => !p.closed),
    find: (port, protocol) => proxies.find((p) => !p.closed && p.port === port && (!protocol || p.protocol === protocol)),
    failNextBind(port: number): void {
      failOnce.set(port, (failOnce.get(port) ?? 0) + 1);
    },
    occupyPort: (port) => void occupied.add(port),
    releasePort: (port) => void occupied.delete(port),
    async start(options: ProxyOptions): Promise<RunningProxy> {
      validateOptions(options);
      const { address } = options.listen;
      let port = options.listen.port;
      if (port === 0) {
        while (inUse(nextPort, options.protocol, address)) nextPort++;
        port = nextPort++;
      }
      const failures = failOnce.get(port) ?? 0;
      if (failures > 0) {
        if (failures === 1) failOnce.delete(port);
        else failOnce.set(port, failures - 1);
        throw new ProxyError('PortInUse', `port ${port} is already in use on ${address}`, { port, address });
      }
      if (inUse(port, options.protocol, address)) {
        throw new ProxyError('PortInUse', `port ${port} is already in use on ${address}`, { port, address });
      }
      const proxy = new FakeProxyImpl(options, port);
      proxies.push(proxy);
      return proxy;
    },
  };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const LOCALHOST = new Set(['localhost', '127.0.0.1', '::1']);

function overlaps(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b) || (LOCALHOST.has(a) && LOCALHOST.has(b) && (a === 'localhost' || b === 'localhost'));
}

class FakeProxyImpl implements FakeProxy {
  readonly address: string;
  readonly port: number;
  readonly protocol: ProxyProtocol;
  readonly engine: 'handles' | 'streams' | 'dgram';
  readonly boundAddresses: readonly string[];
  readonly notBound: readonly ProxyError[] = [];
  closed = false;
  whenNoBackend: WhenNoBackend;
  backends: ProxyBackend[];
  backendUpdates = 0;
  private readonly balancer: Balancer;
  private readonly allowClient: ClientFilter | undefined;
  private readonly counters: ProxyStats = {
    activeConnections: 0,
    totalConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    failedConnects: 0,
    refusedConnections: 0,
  };

  constructor(
    readonly options: ProxyOptions,
    port: number,
  ) {
    this.address = options.listen.address;
    this.port = port;
    this.protocol = options.protocol;
    this.engine = options.protocol === 'UDP' ? 'dgram' : options.engine === 'streams' ? 'streams' : 'handles';
    this.boundAddresses = this.address === 'localhost' ? ['127.0.0.1', '::1'] : [this.address];
    this.backends = options.backends.map((b) => ({ ...b }));
    this.allowClient = clientFilter(options.allowedClients);
    this.whenNoBackend = options.whenNoBackend ?? 'Hold';
    this.balancer = new Balancer({
      backends: options.backends,
      policy: options.policy,
      clientIPAffinity: options.clientIPAffinity,
    });
  }

  get policy(): ProxyPolicy {
    return this.balancer.getPolicy().policy;
  }

  get clientIPAffinity(): boolean {
    return this.balancer.getPolicy().clientIPAffinity;
  }

  setBackends(backends: ProxyBackend[]): void {
    validateBackends(backends);
    this.backends = backends.map((b) => ({ ...b }));
    this.backendUpdates++;
    this.balancer.setBackends(backends);
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    validatePolicy(policy);
    this.balancer.setPolicy(policy, clientIPAffinity);
  }

  setWhenNoBackend(mode: WhenNoBackend): void {
    validateWhenNoBackend(mode);
    this.whenNoBackend = mode;
  }

  stats(): ProxyStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.counters.activeConnections = 0;
  }

  simulateConnection(clientAddress = '127.0.0.1'): FakeConnection | undefined {
    if (this.closed) return undefined;
    if (this.allowClient !== undefined && !this.allowClient(clientAddress)) {
      this.counters.refusedConnections++;
      return undefined;
    }
    const slot: BackendSlot | undefined = this.balancer.pick(clientAddress);
    if (slot === undefined) return undefined;
    const counters = this.counters;
    counters.totalConnections++;
    counters.activeConnections++;
    slot.active++;
    let open = true;
    return {
      backend: { ...slot.backend },
      close: () => {
        if (!open) return;
        open = false;
        slot.active--;
        if (!this.closed) counters.activeConnections--;
      },
    };
  }

  simulateTraffic(bytes: { bytesIn?: number; bytesOut?: number }): void {
    this.counters.bytesIn += bytes.bytesIn ?? 0;
    this.counters.bytesOut += bytes.bytesOut ?? 0;
  }

  simulateConnectFailure(message: string): void {
    this.counters.failedConnects++;
    this.counters.lastError = message;
  }
}
