// What both TCP engines share: listen address bookkeeping, counters, the balancer, and the
// lifecycle of a connection that finds no ready backend (hold, dispatch, time out) or whose backend
// refuses (retry the next one). The engines only move bytes.
import type { Logger } from 'pino';
import { Balancer } from './balancer.ts';
import type { BackendSlot } from './balancer.ts';
import { clientFilter, type ClientFilter } from './client-filter.ts';
import type { ProxyError } from './errors.ts';
import type { ProxyBackend, ProxyOptions, ProxyPolicy, ProxyStats, RunningProxy, WhenNoBackend } from './types.ts';
import { validateBackends, validatePolicy, validateWhenNoBackend } from './validate.ts';

const DEFAULT_HOLD_MAX_CONNECTIONS = 100;
const DEFAULT_HOLD_MAX_BYTES = 1024 * 1024;
const DEFAULT_HOLD_TIMEOUT_MS = 30_000;

/** The per-connection state the base class manages. */
export interface BaseConnection {
  /** Set only while client-IP affinity is on. */
  clientAddress: string | undefined;
  /** The backend being dialled or connected to. */
  slot: BackendSlot | undefined;
  /** Backends this connection failed to reach (created on the first failure only). */
  tried: Set<BackendSlot> | undefined;
  /** Running while the connection waits for a ready backend. */
  holdTimer: NodeJS.Timeout | undefined;
}

export abstract class TcpProxyBase<C extends BaseConnection> implements RunningProxy {
  abstract readonly engine: 'handles' | 'streams';
  readonly protocol = 'TCP' as const;
  readonly address: string;
  port = 0;
  boundAddresses: string[] = [];
  readonly notBound: ProxyError[] = [];
  /** Counters, mutated in place on the hot path. */
  readonly counters: ProxyStats = {
    activeConnections: 0,
    totalConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    failedConnects: 0,
    refusedConnections: 0,
  };
  readonly balancer: Balancer;
  /** Set when `allowedClients` limits who may connect; the engines check each accepted peer. */
  readonly allowClient: ClientFilter | undefined;
  readonly log: Logger | undefined;
  readonly holdMaxConnections: number;
  readonly holdMaxBytes: number;
  readonly holdTimeoutMs: number;
  whenNoBackend: WhenNoBackend;
  closed = false;
  protected readonly connections = new Set<C>();
  private readonly heldConnections = new Set<C>();
  private closing: Promise<void> | undefined;

  constructor(options: ProxyOptions) {
    this.address = options.listen.address;
    this.balancer = new Balancer(options);
    this.allowClient = clientFilter(options.allowedClients);
    this.log = options.logger;
    this.holdMaxConnections = options.hold?.maxConnections ?? DEFAULT_HOLD_MAX_CONNECTIONS;
    this.holdMaxBytes = options.hold?.maxBytes ?? DEFAULT_HOLD_MAX_BYTES;
    this.holdTimeoutMs = options.hold?.timeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS;
    this.whenNoBackend = options.whenNoBackend ?? 'Hold';
  }

  /** Opens the upstream connection to `slot` (and counts `slot.active`). */
  protected abstract dial(conn: C, slot: BackendSlot): void;
  /** Closes the client and anything opened for it; ends in `forget(conn)`. */
  protected abstract abort(conn: C): void;
  /** Resets the client (RST) and closes anything opened for it; ends in `forget(conn)`. */
  protected abstract reset(conn: C): void;
  /** Called once when a connection starts waiting: read and buffer the client up to holdMaxBytes. */
  protected abstract startHolding(conn: C): void;
  protected abstract closeListeners(): Promise<void>;

  setBackends(backends: ProxyBackend[]): void {
    validateBackends(backends);
    this.balancer.setBackends(backends);
    if (this.heldConnections.size > 0 && this.balancer.hasReady) this.dispatchHeld();
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    validatePolicy(policy);
    this.balancer.setPolicy(policy, clientIPAffinity);
  }

  setWhenNoBackend(mode: WhenNoBackend): void {
    validateWhenNoBackend(mode);
    this.whenNoBackend = mode;
    if (mode === 'Reject') for (const conn of this.heldConnections) this.refuseHeld(conn);
  }

  stats(): ProxyStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const conn of this.connections) this.abort(conn);
    this.closing = this.closeListeners().then(() => {
      this.log?.debug({ address: this.address, port: this.port }, 'tcp proxy closed');
    });
    return this.closing;
  }

  /** A client outside `allowedClients`: count it; the engine resets the connection. */
  protected refused(address: string | undefined): void {
    this.counters.refusedConnections++;
    this.counters.lastError = `refused ${address ?? 'a client with no address'}: not in allowedClients`;
  }

  /** A new client connection: count it, then dial a backend or hold it. */
  protected admit(conn: C): void {
    this.counters.totalConnections++;
    this.counters.activeConnections++;
    this.connections.add(conn);
    const slot = this.balancer.pick(conn.clientAddress);
    if (slot === undefined) this.hold(conn);
    else this.dial(conn, slot);
  }

  /** The connect to `conn.slot` failed: count it, then retry the next ready backend, hold, or give up. */
  connectFailed(conn: C, reason: string, stillOpen: boolean): void {
    const slot = conn.slot!;
    const backend = slot.backend;
    this.counters.failedConnects++;
    this.counters.lastError = `${backend.name} ${backend.address}:${backend.port}: ${reason}`;
    this.log?.debug({ backend: backend.name, err: reason }, 'backend connect failed');
    slot.active--;
    conn.slot = undefined;
    if (!stillOpen || this.closed) return;
    const tried = (conn.tried ??= new Set());
    tried.add(slot);
    const next = this.balancer.pick(conn.clientAddress, tried);
    if (next !== undefined) this.dial(conn, next);
    else if (!this.balancer.hasReady) this.hold(conn);
    else this.abort(conn);
  }

  private hold(conn: C): void {
    if (this.whenNoBackend === 'Reject') {
      this.refuseHeld(conn);
      return;
    }
    if (this.heldConnections.size >= this.holdMaxConnections) {
      this.counters.lastError = `no ready backend and ${this.holdMaxConnections} connections already waiting`;
      this.abort(conn);
      return;
    }
    this.heldConnections.add(conn);
    conn.holdTimer = setTimeout(onHoldTimeout, this.holdTimeoutMs, this, conn);
    this.startHolding(conn);
  }

  private unhold(conn: C): void {
    if (!this.heldConnections.delete(conn)) return;
    clearTimeout(conn.holdTimer);
    conn.holdTimer = undefined;
  }

  private refuseHeld(conn: C): void {
    this.unhold(conn);
    this.counters.lastError = 'no ready backend (whenNoBackend: Reject)';
    this.reset(conn);
  }

  holdTimedOut(conn: C): void {
    this.unhold(conn);
    this.counters.lastError = `no ready backend within ${this.holdTimeoutMs} ms`;
    this.abort(conn);
  }

  private dispatchHeld(): void {
    for (const conn of this.heldConnections) {
      const slot = this.balancer.pick(conn.clientAddress, conn.tried);
      if (slot === undefined) {
        if (!this.balancer.hasReady) return;
        continue;
      }
      this.unhold(conn);
      this.dial(conn, slot);
    }
  }

  /** The connection is gone: uncount it. Call exactly once per admitted connection. */
  forget(conn: C): void {
    this.counters.activeConnections--;
    this.connections.delete(conn);
    if (conn.holdTimer !== undefined) this.unhold(conn);
  }
}

function onHoldTimeout(proxy: TcpProxyBase<BaseConnection>, conn: BaseConnection): void {
  proxy.holdTimedOut(conn);
}
