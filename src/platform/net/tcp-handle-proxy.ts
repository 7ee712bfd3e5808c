// The TCP proxy on libuv handles (see uv-bindings.ts): the same behaviour as tcp-stream-proxy.ts without
// two net.Socket stream objects per connection, which is where Node spends most of its
// per-connection CPU. Shared module-level callbacks, no closures, timers or logging per connection
// (held connections excepted). Chosen by default when the bindings are available.
import dns from 'node:dns';
import net from 'node:net';
import type { BackendSlot } from './balancer.ts';
import { bindAll } from './listen.ts';
import type { Bound } from './listen.ts';
import { TcpProxyBase } from './tcp-proxy-base.ts';
import type { BaseConnection } from './tcp-proxy-base.ts';
import type { ProxyOptions } from './types.ts';
import { errorName, loadUvBindings, uvError, uvErrorCode } from './uv-bindings.ts';
import type { UvBindings, UvConnectReq, UvShutdownReq, UvTcpHandle, UvWriteReq } from './uv-bindings.ts';

const BACKLOG = 511;
/** Linux copies TCP_NODELAY from a listening socket to the sockets it accepts. */
const NODELAY_INHERITED = process.platform === 'linux';
/**
 * Each side reads into its own pooled buffer instead of a fresh ArrayBuffer per read (which costs an
 * allocation and GC work per chunk). While a write from that buffer is pending, the side stops
 * reading, so a buffer is never overwritten under a queued write.
 */
const READ_BUFFER_SIZE = 32 * 1024;
const POOL_MAX = 512;
const bufferPool: Uint8Array[] = [];

/** Pooled read buffers not in use (for tests: buffers go back to the pool when handles close). */
export function readBufferPoolSize(): number {
  return bufferPool.length;
}

function startReading(handle: ConnHandle): void {
  if (handle.buf === undefined) {
    const buf = bufferPool.pop() ?? new Uint8Array(READ_BUFFER_SIZE);
    handle.buf = buf;
    handle.useUserBuffer(buf);
  }
  handle.readStart();
}

/**
 * Returns a closed handle's buffer to the pool. Safe at once, without waiting for libuv's close
 * callback: uv_close stops reading before it returns, and the writes it cancels are never copied.
 */
function releaseBuffer(handle: ConnHandle): void {
  const buf = handle.buf;
  if (buf !== undefined) {
    handle.buf = undefined;
    if (bufferPool.length < POOL_MAX) bufferPool.push(buf);
  }
}

interface ConnHandle extends UvTcpHandle {
  conn: HandleConnection;
  /** This side's read buffer, taken from the pool when it starts reading, returned on close. */
  buf: Uint8Array | undefined;
}
interface ConnectReq extends UvConnectReq {
  upstream: ConnHandle;
}
interface WriteReq extends UvWriteReq {
  handle: ConnHandle;
}
interface ShutdownReq extends UvShutdownReq {
  handle: ConnHandle;
}

// Loaded once; the factory only builds this engine when they exist.
let uv: UvBindings;
let state: Int32Array;
let kRead = 0;
let kOffset = 0;
let kAsync = 0;
let UV_EOF = -4095;
let UV_ECONNRESET = -104;

export function handleEngineAvailable(): boolean {
  const b = loadUvBindings();
  if (b === undefined) return false;
  if (uv === undefined) {
    uv = b;
    state = b.state;
    kRead = b.kReadBytesOrError;
    kOffset = b.kArrayBufferOffset;
    kAsync = b.kLastWriteWasAsync;
    UV_EOF = b.UV_EOF;
    UV_ECONNRESET = uvErrorCode('ECONNRESET') ?? UV_ECONNRESET;
  }
  return true;
}

class HandleConnection implements BaseConnection {
  clientAddress: string | undefined = undefined;
  slot: BackendSlot | undefined = undefined;
  tried: Set<BackendSlot> | undefined = undefined;
  holdTimer: NodeJS.Timeout | undefined = undefined;
  upstream: ConnHandle | undefined = undefined;
  connected = false;
  closed = false;
  clientEof = false;
  upstreamEof = false;
  shutdowns = 0;
  /** Stopped reading this side while a write of its data is pending (or the hold buffer is full). */
  clientPaused = false;
  upstreamPaused = false;
  /** Client data read while held (copies: the read buffer is reused). */
  held: Uint8Array[] | undefined = undefined;
  heldBytes = 0;

  constructor(
    readonly proxy: HandleTcpProxy,
    readonly client: ConnHandle,
  ) {}
}

export class HandleTcpProxy extends TcpProxyBase<HandleConnection> {
  readonly engine = 'handles' as const;
  private servers: UvTcpHandle[] = [];

  private readonly onConnection = (status: number, client: UvTcpHandle | undefined): void => {
    if (status !== 0 || client === undefined) {
      this.counters.lastError = `accept: ${errorName(status)}`;
      return;
    }
    this.accept(client as ConnHandle);
  };

  /** The listening handles, to share with proxy worker processes (they accept on the same sockets). */
  listeningHandles(): readonly UvTcpHandle[] {
    return this.servers;
  }

  /**
   * Accepts on listening sockets another process bound (received over IPC): the kernel hands each
   * new connection to one of the processes accepting on the socket.
   */
  adopt(handles: UvTcpHandle[], addresses: string[], port: number): void {
    for (const handle of handles) {
      handle.onconnection = this.onConnection;
      const err = handle.listen(BACKLOG);
      if (err !== 0) throw uvError(err, 'listen');
    }
    this.servers = handles;
    this.boundAddresses = addresses;
    this.port = port;
  }

  async listen(port: number): Promise<void> {
    const onConnection = this.onConnection;
    const bound: Bound<UvTcpHandle>[] = await bindAll<UvTcpHandle>({
      address: this.address,
      port,
      bindOne: async (address, p) => bindServer(address, p, onConnection),
      closeOne: closeHandle,
      notBound: this.notBound,
    });
    this.servers = bound.map((b) => b.handle);
    this.boundAddresses = bound.map((b) => b.address);
    this.port = bound[0]!.port;
    this.log?.debug({ address: this.address, port: this.port, bound: this.boundAddresses }, 'tcp proxy listening');
  }

  protected closeListeners(): Promise<void> {
    return Promise.all(this.servers.map(closeHandle)).then(() => undefined);
  }

  private accept(client: ConnHandle): void {
    if (this.closed) {
      client.close();
      return;
    }
    let peer: string | undefined;
    if (this.allowClient !== undefined || this.balancer.clientIPAffinity) {
      const out: { address?: string } = {};
      client.getpeername(out);
      peer = out.address;
      if (this.allowClient !== undefined && !this.allowClient(peer)) {
        this.refused(peer);
        if (client.reset(noop) !== 0) client.close();
        return;
      }
    }
    const conn = new HandleConnection(this, client);
    client.conn = conn;
    client.buf = undefined;
    client.onread = onRead as UvTcpHandle['onread'];
    if (!NODELAY_INHERITED) client.setNoDelay(true);
    if (this.balancer.clientIPAffinity) conn.clientAddress = peer;
    this.admit(conn);
  }

  protected dial(conn: HandleConnection, slot: BackendSlot): void {
    const backend = slot.backend;
    const ip = slot.ip ?? (net.isIP(backend.address) !== 0 ? backend.address : undefined);
    if (ip === undefined) {
      // A host name: resolve once per backend, then connect like any other.
      dns.lookup(backend.address, (err, address) => {
        if (conn.closed) return;
        if (err) {
          slot.active++;
          conn.slot = slot;
          this.connectFailed(conn, err.code ?? err.message, true);
          return;
        }
        slot.ip = address;
        this.dial(conn, slot);
      });
      return;
    }
    slot.active++;
    conn.slot = slot;
    const upstream = uv.newSocket() as ConnHandle;
    upstream.conn = conn;
    upstream.buf = undefined;
    upstream.onread = onRead as UvTcpHandle['onread'];
    conn.upstream = upstream;
    upstream.setNoDelay(true);
    const req = uv.newConnectReq() as ConnectReq;
    req.oncomplete = onConnect as UvConnectReq['oncomplete'];
    req.address = ip;
    req.port = backend.port;
    req.upstream = upstream;
    const err = ip.includes(':') ? upstream.connect6(req, ip, backend.port) : upstream.connect(req, ip, backend.port);
    if (err !== 0) {
      dropUpstream(conn, upstream, errorName(err));
      return;
    }
    // Reading can be armed while connecting: libuv then registers the socket once for both events
    // instead of re-adding it after the connect (one epoll_ctl less per connection).
    startReading(upstream);
  }

  protected abort(conn: HandleConnection): void {
    destroy(conn, undefined);
  }

  protected reset(conn: HandleConnection): void {
    destroy(conn, conn.client);
  }

  protected startHolding(conn: HandleConnection): void {
    if (conn.held !== undefined) return;
    conn.held = [];
    // Read while held: buffer up to holdMaxBytes, and notice a client that resets.
    if (!conn.clientEof) startReading(conn.client);
  }
}

/** The connect failed: close that socket, then let the base class retry, hold or give up. */
function dropUpstream(conn: HandleConnection, upstream: ConnHandle, reason: string): void {
  conn.upstream = undefined;
  upstream.close();
  releaseBuffer(upstream);
  conn.proxy.connectFailed(conn, reason, !conn.closed);
}

// ------------------------------------------------------------------ shared callbacks

function onConnect(this: ConnectReq, status: number): void {
  const upstream = this.upstream;
  const conn = upstream.conn;
  if (conn.closed || conn.upstream !== upstream) return;
  if (status < 0) {
    dropUpstream(conn, upstream, errorName(status));
    return;
  }
  conn.connected = true;
  const held = conn.held;
  if (held !== undefined) {
    // Flush what the client sent while it waited for a backend.
    conn.held = undefined;
    conn.proxy.counters.bytesIn += conn.heldBytes;
    conn.heldBytes = 0;
    for (const chunk of held) if (write(conn, upstream, chunk) === WRITE_FAILED) return;
    if (conn.clientEof) shutdown(conn, upstream);
    else if (conn.clientPaused) resume(conn, conn.client);
    return;
  }
  startReading(conn.client);
}

function onRead(this: ConnHandle, arrayBuffer: ArrayBuffer | undefined): void {
  const conn = this.conn;
  const nread = state[kRead]!;
  // The upstream reads from the start; anything before its connect completed is the connect's business.
  if (conn.closed || (!conn.connected && this !== conn.client)) return;
  if (nread > 0) {
    const chunk = arrayBuffer === undefined ? this.buf!.subarray(0, nread) : new Uint8Array(arrayBuffer, state[kOffset], nread);
    if (this === conn.client) {
      if (!conn.connected) {
        // Held (or dialling after a hold): keep a copy, up to the limit.
        conn.held!.push(chunk.slice());
        conn.heldBytes += nread;
        if (conn.heldBytes >= conn.proxy.holdMaxBytes) {
          conn.clientPaused = true;
          this.readStop();
        }
        return;
      }
      conn.proxy.counters.bytesIn += nread;
      // An asynchronous write still reads from our buffer: stop reading until it completes.
      if (write(conn, conn.upstream!, chunk) === WRITE_ASYNC) {
        conn.clientPaused = true;
        this.readStop();
      }
    } else {
      conn.proxy.counters.bytesOut += nread;
      if (write(conn, conn.client, chunk) === WRITE_ASYNC) {
        conn.upstreamPaused = true;
        this.readStop();
      }
    }
    return;
  }
  if (nread === 0) return;
  if (nread === UV_EOF) {
    // Half-close: pass the FIN on, keep the other direction open.
    if (this === conn.client) {
      conn.clientEof = true;
      if (conn.connected) passFin(conn, this, conn.upstream!, conn.upstreamEof);
    } else {
      conn.upstreamEof = true;
      passFin(conn, this, conn.client, conn.clientEof);
    }
    return;
  }
  // A read error. A reset is passed on as a reset; anything else closes both sides.
  if (this === conn.upstream) conn.proxy.counters.lastError = `${conn.slot?.backend.name ?? 'backend'}: ${errorName(nread)}`;
  const peer = this === conn.client ? conn.upstream : conn.client;
  destroy(conn, nread === UV_ECONNRESET && conn.connected ? peer : undefined);
}

const WRITE_FAILED = 0;
const WRITE_SYNC = 1;
const WRITE_ASYNC = 2;

/**
 * A write request object not yet handed to libuv. Node only attaches a native request to it when a
 * write has to wait, so after a synchronous write the same object serves the next one.
 */
let spareWriteReq: WriteReq | undefined;

/** Writes a chunk; WRITE_FAILED destroyed the connection, WRITE_ASYNC is still using the chunk. */
function write(conn: HandleConnection, dest: ConnHandle, chunk: Uint8Array): number {
  const req = spareWriteReq ?? (uv.newWriteReq() as WriteReq);
  spareWriteReq = undefined;
  req.handle = dest;
  req.oncomplete = onWriteDone as UvWriteReq['oncomplete'];
  req.async = false;
  req.buffer = null;
  const err = dest.writeBuffer(req, chunk);
  if (err !== 0) {
    destroy(conn, undefined);
    return WRITE_FAILED;
  }
  if (state[kAsync] === 0) {
    spareWriteReq = req;
    return WRITE_SYNC;
  }
  // Keep the chunk alive until libuv has written it.
  req.async = true;
  req.buffer = chunk;
  return WRITE_ASYNC;
}

function onWriteDone(this: WriteReq, status: number): void {
  const dest = this.handle;
  const conn = dest.conn;
  this.buffer = null;
  if (conn.closed) return;
  if (status < 0) {
    destroy(conn, undefined);
    return;
  }
  if (dest.writeQueueSize > 0) return;
  if (dest === conn.client) {
    if (conn.upstreamPaused) resume(conn, conn.upstream!);
  } else if (conn.clientPaused) resume(conn, conn.client);
}

function resume(conn: HandleConnection, source: ConnHandle): void {
  if (source === conn.client) {
    conn.clientPaused = false;
    if (!conn.clientEof) startReading(source);
  } else {
    conn.upstreamPaused = false;
    if (!conn.upstreamEof) startReading(source);
  }
}

/**
 * `src` sent its FIN: send `dest` one. When dest sent its own FIN already and nothing is queued
 * either way, this is the end of the connection: closing both handles sends the FINs (both receive
 * queues are drained, so no RST) without a shutdown round trip through the event loop.
 */
function passFin(conn: HandleConnection, src: ConnHandle, dest: ConnHandle, destEof: boolean): void {
  if (destEof && dest.writeQueueSize === 0 && src.writeQueueSize === 0) destroy(conn, undefined);
  else shutdown(conn, dest);
}

function shutdown(conn: HandleConnection, handle: ConnHandle): void {
  const req = uv.newShutdownReq() as ShutdownReq;
  req.handle = handle;
  req.oncomplete = onShutdownDone as UvShutdownReq['oncomplete'];
  if (handle.shutdown(req) !== 0) destroy(conn, undefined);
}

function onShutdownDone(this: ShutdownReq, status: number): void {
  const conn = this.handle.conn;
  if (conn.closed) return;
  if (status < 0 || ++conn.shutdowns === 2) destroy(conn, undefined);
}

/** Closes both sides; `reset` (one of them) gets an RST instead of a FIN. */
function destroy(conn: HandleConnection, reset: ConnHandle | undefined): void {
  if (conn.closed) return;
  conn.closed = true;
  conn.proxy.forget(conn);
  const slot = conn.slot;
  if (slot !== undefined) {
    slot.active--;
    conn.slot = undefined;
  }
  conn.held = undefined;
  closeOrReset(conn.client, reset === conn.client);
  if (conn.upstream !== undefined) closeOrReset(conn.upstream, reset === conn.upstream);
}

function closeOrReset(handle: ConnHandle, reset: boolean): void {
  if (!reset || handle.reset(noop) !== 0) handle.close();
  releaseBuffer(handle);
}

function noop(): void {}

// ------------------------------------------------------------------ listeners

function bindServer(
  address: string,
  port: number,
  onConnection: (status: number, client: UvTcpHandle | undefined) => void,
): Bound<UvTcpHandle> {
  const server = uv.newServer();
  const v6 = net.isIPv6(address);
  // No IPV6ONLY: `::` is dual-stack, as with net.Server.
  let err = v6 ? server.bind6(address, port, 0) : server.bind(address, port);
  if (err === 0) err = server.listen(BACKLOG);
  if (err !== 0) {
    server.close();
    throw uvError(err, 'listen');
  }
  // Linux copies TCP_NODELAY from the listening socket to accepted ones: one syscall per listener
  // instead of one per connection.
  if (NODELAY_INHERITED) server.setNoDelay(true);
  const out: { address?: string; port?: number } = {};
  server.getsockname(out);
  server.onconnection = onConnection;
  return { handle: server, address: out.address ?? address, port: out.port ?? port };
}

function closeHandle(handle: UvTcpHandle): Promise<void> {
  return new Promise((resolve) => handle.close(() => resolve()));
}

export async function startHandleTcpProxy(options: ProxyOptions): Promise<HandleTcpProxy> {
  if (!handleEngineAvailable()) throw new Error('libuv handle bindings are not available');
  const proxy = new HandleTcpProxy(options);
  await proxy.listen(options.listen.port);
  return proxy;
}
