// The TCP engine on net.Socket streams: the portable fallback of the handle engine
// (tcp-handle-proxy.ts). Every listener is a shared module-level function that finds its connection
// through a property on the socket (no closures per connection); no logging or timers per
// connection (held ones excepted). Client data stays in the client socket's buffer until the backend
// connect completes, so a failed connect is retried on another backend without losing a byte.
import net from 'node:net';
import type { Server, Socket } from 'node:net';
import tls from 'node:tls';
import type { BackendSlot } from './balancer.ts';
import { bindAll } from './listen.ts';
import type { Bound } from './listen.ts';
import { TcpProxyBase } from './tcp-proxy-base.ts';
import type { BaseConnection } from './tcp-proxy-base.ts';
import type { ProxyOptions } from './types.ts';

const kConn = Symbol('apphost.proxy.conn');

interface ProxySocket extends Socket {
  [kConn]: StreamConnection;
}

/** One client connection and, once dialled, its upstream socket. */
class StreamConnection implements BaseConnection {
  clientAddress: string | undefined = undefined;
  slot: BackendSlot | undefined = undefined;
  tried: Set<BackendSlot> | undefined = undefined;
  holdTimer: NodeJS.Timeout | undefined = undefined;
  upstream: ProxySocket | undefined = undefined;
  connected = false;
  /** Client data read while held (no ready backend yet). */
  held: Buffer[] | undefined = undefined;
  heldBytes = 0;
  clientEnded = false;

  constructor(
    readonly proxy: StreamTcpProxy,
    readonly client: ProxySocket,
  ) {}
}

export class StreamTcpProxy extends TcpProxyBase<StreamConnection> {
  readonly engine = 'streams' as const;
  private servers: Server[] = [];
  private readonly tls: ProxyOptions['tls'];

  constructor(options: ProxyOptions) {
    super(options);
    this.tls = options.tls;
  }

  async listen(port: number): Promise<void> {
    const onConnection = (socket: Socket): void => this.accept(socket as ProxySocket);
    const bound: Bound<Server>[] = await bindAll<Server>({
      address: this.address,
      port,
      bindOne: (address, p) => listenServer(address, p, onConnection, this.tls),
      closeOne: closeServer,
      notBound: this.notBound,
    });
    this.servers = bound.map((b) => b.handle);
    this.boundAddresses = bound.map((b) => b.address);
    this.port = bound[0]!.port;
    for (const server of this.servers) {
      server.on('error', (err) => {
        this.counters.lastError = `listener: ${err.message}`;
      });
    }
    this.log?.debug({ address: this.address, port: this.port, bound: this.boundAddresses }, 'tcp proxy listening');
  }

  protected closeListeners(): Promise<void> {
    return Promise.all(this.servers.map(closeServer)).then(() => undefined);
  }

  private accept(client: ProxySocket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    if (this.allowClient !== undefined && !this.allowClient(client.remoteAddress)) {
      this.refused(client.remoteAddress);
      client.on('error', noop);
      client.resetAndDestroy();
      return;
    }
    const conn = new StreamConnection(this, client);
    client[kConn] = conn;
    client.on('error', onSocketError);
    client.on('close', onClientClose);
    if (this.balancer.clientIPAffinity) conn.clientAddress = client.remoteAddress;
    this.admit(conn);
  }

  protected dial(conn: StreamConnection, slot: BackendSlot): void {
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

  protected abort(conn: StreamConnection): void {
    // The client's 'close' event forgets the connection.
    conn.client.destroy();
    conn.upstream?.destroy();
  }

  protected reset(conn: StreamConnection): void {
    conn.upstream?.destroy();
    conn.client.resetAndDestroy();
  }

  protected startHolding(conn: StreamConnection): void {
    if (conn.held !== undefined) return;
    conn.held = [];
    conn.client.on('data', onHeldData);
    conn.client.on('end', onHeldEnd);
  }
}

// ------------------------------------------------------------------ shared listeners

function noop(): void {}

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
      conn.upstream = undefined;
      conn.proxy.connectFailed(conn, err.code ?? err.message, !conn.client.destroyed);
      return;
    }
    conn.proxy.counters.lastError = `${conn.slot?.backend.name ?? 'backend'}: ${err.code ?? err.message}`;
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

// ------------------------------------------------------------------ listeners

function listenServer(address: string, port: number, onConnection: (socket: Socket) => void, tlsOptions?: ProxyOptions['tls']): Promise<Bound<Server>> {
  return new Promise((resolve, reject) => {
    // With TLS, a connection is handed over once its handshake is done (a failed handshake never is).
    const server: Server = tlsOptions
      ? tls.createServer({ ...tlsOptions, allowHalfOpen: true, noDelay: true, handshakeTimeout: 10_000 }, onConnection)
      : net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    if (tlsOptions) server.on('tlsClientError', (_err, socket) => socket.destroy());
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

export async function startStreamTcpProxy(options: ProxyOptions): Promise<StreamTcpProxy> {
  const proxy = new StreamTcpProxy(options);
  await proxy.listen(options.listen.port);
  return proxy;
}
