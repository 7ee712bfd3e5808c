// The real TCP proxy. Hot path notes: every listener is a shared module-level function that finds
// its connection through a property on the socket (no closures per connection); no logging or
// timers per connection (held connections excepted); client data stays in the client socket's own
// buffer until the backend connect completes, so a failed connect can be retried on another
// backend without losing a byte.
import net from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { Balancer } from './balancer.ts';
import type { BackendSlot } from './balancer.ts';
import { bindAll } from './listen.ts';
import type { Bound } from './listen.ts';
import { validateBackends, validatePolicy } from './validate.ts';
import type { ProxyBackend, ProxyOptions, ProxyPolicy, ProxyStats, RunningProxy } from './types.ts';

const DEFAULT_HOLD_MAX_CONNECTIONS = 100;
const DEFAULT_HOLD_MAX_BYTES = 1024 * 1024;
const DEFAULT_HOLD_TIMEOUT_MS = 30_000;

const kConn = Symbol('apphost.proxy.conn');

interface ProxySocket extends Socket {
  [kConn]: TcpConnection;
}

/** One client connection and, once dialled, its upstream socket. */
class TcpConnection {
  upstream: ProxySocket | undefined = undefined;
  slot: BackendSlot | undefined = undefined;
  connected = false;
  /** Backends this connection failed to reach (created on the first failure only). */
  tried: Set<BackendSlot> | undefined = undefined;
  // Held-connection state (no ready backend yet).
  holdTimer: NodeJS.Timeout | undefined = undefined;
  held: Buffer[] | undefined = undefined;
  heldBytes = 0;
  clientEnded = false;

  constructor(
    readonly proxy: TcpProxy,
    readonly client: ProxySocket,
  ) {}
}

export class TcpProxy implements RunningProxy {
  readonly engine = 'streams' as const;
  readonly protocol = 'TCP' as const;
  readonly address: string;
  port = 0;
  boundAddresses: string[] = [];
  /** Counters, mutated in place on the hot path. */
  readonly counters: ProxyStats = {
    activeConnections: 0,
    totalConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    failedConnects: 0,
  };
  readonly balancer: Balancer;
  readonly affinity: boolean;
  private affinityOn: boolean;
  private readonly log: Logger | undefined;
  private servers: Server[] = [];
  private readonly connections = new Set<TcpConnection>();
  private readonly heldConnections = new Set<TcpConnection>();
  readonly holdMaxConnections: number;
  readonly holdMaxBytes: number;
  readonly holdTimeoutMs: number;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: ProxyOptions) {
    this.address = options.listen.address;
    this.balancer = new Balancer({
      backends: options.backends,
      policy: options.policy,
      clientIPAffinity: options.clientIPAffinity,
    });
    this.affinity = options.clientIPAffinity === true;
    this.affinityOn = this.affinity;
    this.log = options.logger;
    this.holdMaxConnections = options.hold?.maxConnections ?? DEFAULT_HOLD_MAX_CONNECTIONS;
    this.holdMaxBytes = options.hold?.maxBytes ?? DEFAULT_HOLD_MAX_BYTES;
    this.holdTimeoutMs = options.hold?.timeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS;
  }

  async listen(port: number): Promise<void> {
    const onConnection = (socket: Socket): void => this.accept(socket as ProxySocket);
    const bound: Bound<Server>[] = await bindAll<Server>({
      address: this.address,
      port,
      bindOne: (address, p) => listenServer(address, p, onConnection),
      closeOne: closeServer,
    });
    this.servers = bound.map((b) => b.handle);
    this.boundAddresses = bound.map((b) => b.address);
    this.port = bound[0]!.port;
    for (const server of this.servers) server.on('error', (err) => this.noteError(`listener: ${err.message}`));
    this.log?.debug({ address: this.address, port: this.port, bound: this.boundAddresses }, 'tcp proxy listening');
  }

  setBackends(backends: ProxyBackend[]): void {
    validateBackends(backends);
    this.balancer.setBackends(backends);
    if (this.heldConnections.size > 0 && this.balancer.hasReady) this.dispatchHeld();
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    validatePolicy(policy);
    this.balancer.setPolicy(policy, clientIPAffinity);
    this.affinityOn = this.balancer.getPolicy().clientIPAffinity;
  }

  stats(): ProxyStats {
    return { ...this.counters };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const conn of this.heldConnections) clearTimeout(conn.holdTimer);
    this.heldConnections.clear();
    for (const conn of this.connections) {
      conn.client.destroy();
      conn.upstream?.destroy();
    }
    this.closing = Promise.all(this.servers.map(closeServer)).then(() => {
      this.log?.debug({ address: this.address, port: this.port }, 'tcp proxy closed');
    });
    return this.closing;
  }

  noteError(message: string): void {
    this.counters.lastError = message;
  }

  // ------------------------------------------------------------------ per connection

  private accept(client: ProxySocket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    const counters = this.counters;
    counters.totalConnections++;
    counters.activeConnections++;
    const conn = new TcpConnection(this, client);
    client[kConn] = conn;
    this.connections.add(conn);
    client.on('error', onSocketError);
    client.on('close', onClientClose);
    const slot = this.balancer.pick(this.affinityOn ? client.remoteAddress : undefined);
    if (slot === undefined) this.hold(conn);
    else this.dial(conn, slot);
  }

  dial(conn: TcpConnection, slot: BackendSlot): void {
    slot.active++;
    conn.slot = slot;
    const backend = slot.backend;
    const upstream = net.connect({
      host: backend.address,
      port: backend.port,
      noDelay: true,
      allowHalfOpen: true,
    }) as ProxySocket;
    upstream[kConn] = conn;
    conn.upstream = upstream;
    upstream.on('connect', onUpstreamConnect);
    upstream.on('error', onSocketError);
    upstream.on('close', onUpstreamClose);
  }

  /** A connect to `conn.slot` failed: retry the next ready backend, hold, or give up. */
  connectFailed(conn: TcpConnection, err: NodeJS.ErrnoException): void {
    const slot = conn.slot!;
    const backend = slot.backend;
    this.counters.failedConnects++;
    this.counters.lastError = `${backend.name} ${backend.address}:${backend.port}: ${err.code ?? err.message}`;
    this.log?.debug({ backend: backend.name, err: err.code ?? err.message }, 'backend connect failed');
    slot.active--;
    conn.slot = undefined;
    conn.upstream = undefined;
    if (conn.client.destroyed || this.closed) return;
    const tried = (conn.tried ??= new Set());
    tried.add(slot);
    const next = this.balancer.pick(this.affinityOn ? conn.client.remoteAddress : undefined, tried);
    if (next !== undefined) this.dial(conn, next);
    else if (!this.balancer.hasReady) this.hold(conn);
    else conn.client.destroy();
  }

  private hold(conn: TcpConnection): void {
    if (this.heldConnections.size >= this.holdMaxConnections) {
      this.counters.lastError = `no ready backend and ${this.holdMaxConnections} connections already waiting`;
      conn.client.destroy();
      return;
    }
    this.heldConnections.add(conn);
    conn.holdTimer = setTimeout(onHoldTimeout, this.holdTimeoutMs, conn);
    if (conn.held === undefined) {
      conn.held = [];
      const client = conn.client;
      client.on('data', onHeldData);
      client.on('end', onHeldEnd);
    }
  }

  unhold(conn: TcpConnection): void {
    if (!this.heldConnections.delete(conn)) return;
    clearTimeout(conn.holdTimer);
    conn.holdTimer = undefined;
  }

  holdTimedOut(conn: TcpConnection): void {
    this.unhold(conn);
    this.counters.lastError = `no ready backend within ${this.holdTimeoutMs} ms`;
    conn.client.destroy();
  }

  private dispatchHeld(): void {
    for (const conn of this.heldConnections) {
      const slot = this.balancer.pick(this.affinityOn ? conn.client.remoteAddress : undefined, conn.tried);
      if (slot === undefined) {
        if (!this.balancer.hasReady) return;
        continue;
      }
      this.unhold(conn);
      this.dial(conn, slot);
    }
  }

  forget(conn: TcpConnection): void {
    this.counters.activeConnections--;
    this.connections.delete(conn);
    if (conn.holdTimer !== undefined) this.unhold(conn);
  }
}

// ------------------------------------------------------------------ shared listeners

function onUpstreamConnect(this: ProxySocket): void {
  const conn = this[kConn];
  if (conn.upstream !== this) return;
  const client = conn.client;
  conn.connected = true;
  if (client.destroyed) {
    this.destroy();
    return;
  }
  const held = conn.held;
  if (held !== undefined) {
    // The connection waited for a backend: flush what it sent meanwhile.
    client.removeListener('data', onHeldData);
    client.removeListener('end', onHeldEnd);
    for (const chunk of held) this.write(chunk);
    conn.proxy.counters.bytesIn += conn.heldBytes;
    conn.held = [];
    conn.heldBytes = 0;
    if (conn.clientEnded) this.end();
  }
  client.on('data', onData);
  this.on('data', onData);
  client.on('drain', onDrain);
  this.on('drain', onDrain);
  if (!conn.clientEnded) client.on('end', onEnd);
  this.on('end', onEnd);
  if (held !== undefined && !conn.clientEnded) client.resume();
}

function onData(this: ProxySocket, chunk: Buffer): void {
  const conn = this[kConn];
  let peer: Socket;
  if (this === conn.client) {
    conn.proxy.counters.bytesIn += chunk.length;
    peer = conn.upstream!;
  } else {
    conn.proxy.counters.bytesOut += chunk.length;
    peer = conn.client;
  }
  if (!peer.write(chunk)) this.pause();
}

/** `this` drained its write buffer: let its peer flow again. */
function onDrain(this: ProxySocket): void {
  const conn = this[kConn];
  const peer = this === conn.client ? conn.upstream! : conn.client;
  if (!peer.destroyed) peer.resume();
}

/** Half-close: `this` sent FIN, pass it on and keep the other direction open. */
function onEnd(this: ProxySocket): void {
  const conn = this[kConn];
  const peer = this === conn.client ? conn.upstream! : conn.client;
  peer.end();
}

function onSocketError(this: ProxySocket, err: NodeJS.ErrnoException): void {
  const conn = this[kConn];
  if (this !== conn.client) {
    if (this !== conn.upstream) return;
    if (!conn.connected) {
      conn.proxy.connectFailed(conn, err);
      return;
    }
    conn.proxy.noteError(`${conn.slot?.backend.name ?? 'backend'}: ${err.code ?? err.message}`);
  }
  const peer = this === conn.client ? conn.upstream : conn.client;
  if (peer === undefined || peer.destroyed) return;
  // Pass a reset on as a reset; anything else closes the other side.
  if (err.code === 'ECONNRESET' && conn.connected) peer.resetAndDestroy();
  else peer.destroy();
}

function onClientClose(this: ProxySocket): void {
  const conn = this[kConn];
  conn.proxy.forget(conn);
  const upstream = conn.upstream;
  // The client is gone before its backend answered the connect: nothing left to forward.
  if (upstream !== undefined && !conn.connected) upstream.destroy();
}

function onUpstreamClose(this: ProxySocket): void {
  const conn = this[kConn];
  if (conn.upstream !== this) return;
  const slot = conn.slot;
  if (slot !== undefined) {
    slot.active--;
    conn.slot = undefined;
  }
  // A clean close means both directions ended; make sure the client is not left half-open.
  const client = conn.client;
  if (!client.destroyed && !client.writableEnded) client.end();
}

function onHeldData(this: ProxySocket, chunk: Buffer): void {
  const conn = this[kConn];
  conn.held!.push(chunk);
  conn.heldBytes += chunk.length;
  // Back-pressure instead of unbounded buffering: the rest waits in the kernel.
  if (conn.heldBytes >= conn.proxy.holdMaxBytes) this.pause();
}

function onHeldEnd(this: ProxySocket): void {
  this[kConn].clientEnded = true;
}

function onHoldTimeout(conn: TcpConnection): void {
  conn.proxy.holdTimedOut(conn);
}

// ------------------------------------------------------------------ listeners

function listenServer(address: string, port: number, onConnection: (socket: Socket) => void): Promise<Bound<Server>> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    const onError = (err: Error): void => {
      server.close();
      reject(err);
    };
    server.once('error', onError);
    server.listen({ host: address, port }, () => {
      server.removeListener('error', onError);
      const info = server.address() as net.AddressInfo;
      resolve({ handle: server, address: info.address, port: info.port });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startTcpProxy(options: ProxyOptions): Promise<TcpProxy> {
  const proxy = new TcpProxy(options);
  await proxy.listen(options.listen.port);
  return proxy;
}
