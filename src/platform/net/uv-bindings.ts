// Node's libuv stream bindings (`tcp_wrap`, `stream_wrap`), the layer under `net.Socket`. The
// handle engine uses them to skip the per-connection stream machinery. They are not a public API:
// `loadUvBindings()` checks every piece it needs and returns undefined when anything is missing,
// and the proxy then falls back to the `net` engine.
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

export interface UvTcpHandle {
  onread: ((this: UvTcpHandle, arrayBuffer: ArrayBuffer | undefined) => void) | null;
  onconnection: ((status: number, client: UvTcpHandle | undefined) => void) | null;
  readonly writeQueueSize: number;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: UvConnectReq, address: string, port: number): number;
  connect6(req: UvConnectReq, address: string, port: number): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
  setNoDelay(on: boolean): number;
  readStart(): number;
  /** Reads go into this buffer (always from offset 0); onread then gets no ArrayBuffer. */
  useUserBuffer(buffer: Uint8Array): void;
  readStop(): number;
  writeBuffer(req: UvWriteReq, data: Uint8Array): number;
  shutdown(req: UvShutdownReq): number;
  reset(cb: (this: UvTcpHandle) => void): number;
  /** `cb` runs with the handle as `this` once libuv has closed it. */
  close(cb?: (this: UvTcpHandle) => void): void;
}

export interface UvConnectReq {
  oncomplete: (this: UvConnectReq, status: number) => void;
  address: string;
  port: number;
}

export interface UvWriteReq {
  oncomplete: (this: UvWriteReq, status: number) => void;
  handle: UvTcpHandle;
  async: boolean;
  buffer: Uint8Array | null;
}

export interface UvShutdownReq {
  oncomplete: (this: UvShutdownReq, status: number) => void;
  handle: UvTcpHandle;
}

export interface UvBindings {
  newSocket(): UvTcpHandle;
  newServer(): UvTcpHandle;
  newConnectReq(): UvConnectReq;
  newWriteReq(): UvWriteReq;
  newShutdownReq(): UvShutdownReq;
  readonly IPV6ONLY: number;
  /** Shared state a read or write call leaves behind. */
  readonly state: Int32Array;
  readonly kReadBytesOrError: number;
  readonly kArrayBufferOffset: number;
  readonly kLastWriteWasAsync: number;
  readonly UV_EOF: number;
}

let cached: UvBindings | undefined | null = null;

/** The bindings, or undefined when this Node does not offer them in the expected shape. */
export function loadUvBindings(): UvBindings | undefined {
  if (cached !== null) return cached;
  cached = undefined;
  try {
    const binding = (process as unknown as { binding?: (name: string) => Record<string, unknown> }).binding;
    if (typeof binding !== 'function') return undefined;
    const tcp = binding('tcp_wrap') as {
      TCP: new (type: number) => UvTcpHandle;
      TCPConnectWrap: new () => UvConnectReq;
      constants: { SOCKET: number; SERVER: number; UV_TCP_IPV6ONLY: number };
    };
    const stream = binding('stream_wrap') as {
      WriteWrap: new () => UvWriteReq;
      ShutdownWrap: new () => UvShutdownReq;
      streamBaseState: Int32Array;
      kReadBytesOrError: number;
      kArrayBufferOffset: number;
      kLastWriteWasAsync: number;
    };
    const { TCP, TCPConnectWrap, constants } = tcp;
    const { WriteWrap, ShutdownWrap, streamBaseState } = stream;
    if (typeof TCP !== 'function' || typeof TCPConnectWrap !== 'function') return undefined;
    if (typeof WriteWrap !== 'function' || typeof ShutdownWrap !== 'function') return undefined;
    if (!(streamBaseState instanceof Int32Array)) return undefined;
    for (const k of [stream.kReadBytesOrError, stream.kArrayBufferOffset, stream.kLastWriteWasAsync]) {
      if (!Number.isInteger(k)) return undefined;
    }
    const proto = TCP.prototype as unknown as Record<string, unknown>;
    for (const m of ['bind', 'bind6', 'listen', 'connect', 'connect6', 'getsockname', 'getpeername', 'setNoDelay', 'readStart', 'readStop', 'useUserBuffer', 'writeBuffer', 'shutdown', 'reset', 'close']) {
      if (typeof proto[m] !== 'function') return undefined;
    }
    const UV_EOF = uvErrorCode('EOF');
    if (UV_EOF === undefined) return undefined;
    cached = {
      newSocket: () => new TCP(constants.SOCKET),
      newServer: () => new TCP(constants.SERVER),
      newConnectReq: () => new TCPConnectWrap(),
      newWriteReq: () => new WriteWrap(),
      newShutdownReq: () => new ShutdownWrap(),
      IPV6ONLY: constants.UV_TCP_IPV6ONLY,
      state: streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
      kArrayBufferOffset: stream.kArrayBufferOffset,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
      UV_EOF,
    };
  } catch {
    cached = undefined;
  }
  return cached;
}

/** libuv's negative error number for a name such as `EOF` or `ECONNRESET`. */
export function uvErrorCode(name: string): number | undefined {
  for (const [code, [n]] of getSystemErrorMap()) if (n === name) return code;
  return undefined;
}

/** `ECONNREFUSED` for a libuv error number. */
export function errorName(status: number): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return `E${-status}`;
  }
}

/** An Error with `code` like the ones `net` throws, for bindAll's error mapping. */
export function uvError(status: number, syscall: string): NodeJS.ErrnoException {
  const code = errorName(status);
  const err = new Error(`${syscall} ${code}`) as NodeJS.ErrnoException;
  err.code = code;
  err.errno = status;
  err.syscall = syscall;
  return err;
}
