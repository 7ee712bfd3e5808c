// The proxy data plane contract. The proxies controller drives a ProxyFactory from Proxy objects;
// the real factory listens on sockets, the fake one simulates everything in memory.
import type { Logger } from 'pino';
import type { ProxyError } from './errors.ts';

export type ProxyProtocol = 'TCP' | 'UDP';
export type ProxyEngine = 'auto' | 'handles' | 'streams';
export type ProxyPolicy = 'RoundRobin' | 'Random' | 'LeastConnections';
/**
 * What a TCP connection gets while no backend is ready: `Hold` waits (bounded, see HoldOptions) for
 * one; `Reject` resets it at once (for when no backend can come soon, e.g. every replica failed).
 */
export type WhenNoBackend = 'Hold' | 'Reject';

export interface ProxyBackend {
  name: string;
  address: string;
  port: number;
  /** Only backends with `ready !== false` get new connections. */
  ready?: boolean;
}

export interface ProxyStats {
  /** TCP: open client connections (held ones included). UDP: live client flows. */
  activeConnections: number;
  /** TCP: accepted client connections. UDP: client flows created. */
  totalConnections: number;
  /** Bytes from clients to backends. */
  bytesIn: number;
  /** Bytes from backends to clients. */
  bytesOut: number;
  /** Failed connects (TCP) or sends (UDP) to a backend. */
  failedConnects: number;
  /** Clients turned away because their address is not in `allowedClients` (TCP: reset; UDP: dropped). */
  refusedConnections: number;
  /** The last backend or listener error, e.g. `api-0 127.0.0.1:5001: ECONNREFUSED`. */
  lastError?: string;
}

/** Limits for TCP connections that arrive while no backend is ready. */
export interface HoldOptions {
  /** Held connections per proxy; more are closed at once. Default 100. */
  maxConnections?: number;
  /**
   * Client bytes buffered per held connection. Default 1 MiB. A held client is not read further once
   * its buffer is full (TCP back-pressure), so nothing is lost.
   */
  maxBytes?: number;
  /** A held connection is closed after this long without a ready backend. Default 30 000 ms. */
  timeoutMs?: number;
}

export interface ProxyOptions {
  /**
   * Where to listen. Address `localhost` binds 127.0.0.1 and, if the machine has it, ::1 on the same
   * port. Port 0 picks any free port.
   */
  listen: { address: string; port: number };
  protocol: ProxyProtocol;
  backends: ProxyBackend[];
  policy?: ProxyPolicy;
  clientIPAffinity?: boolean;
  /**
   * Only clients whose address falls in one of these (CIDRs or single addresses, e.g.
   * `['172.18.0.0/16']`) are served; others get a TCP reset (UDP: their datagrams are dropped).
   * Omitted: every client. The container tunnel uses it to serve only the app's own network.
   */
  allowedClients?: string[];
  logger?: Logger;
  /** Default Hold. */
  whenNoBackend?: WhenNoBackend;
  hold?: HoldOptions;
  /**
   * TCP implementation: `handles` forwards on libuv handles directly (about half the CPU per
   * connection), `streams` on net.Socket. `auto` (default, or APPHOST_PROXY_ENGINE) picks handles
   * when this Node offers them and the listen address is an IP or `localhost`.
   */
  engine?: ProxyEngine;
  /** UDP: a client flow and its upstream socket are dropped after this long idle. Default 120 000 ms. */
  udpIdleTimeoutMs?: number;
  /**
   * TCP: terminate TLS (PEM certificate and key): clients speak TLS to the proxy, backends get the
   * plain bytes. Served by the streams engine.
   */
  tls?: { cert: string; key: string };
}

export interface RunningProxy {
  /** The listen address as requested (`localhost` stays `localhost`). */
  readonly address: string;
  /** The bound port (the chosen one when asked for port 0). */
  readonly port: number;
  /** Every address actually bound, e.g. `['127.0.0.1', '::1']` for `localhost`. */
  readonly boundAddresses: readonly string[];
  /**
   * `localhost` on a fixed port where one family could not be bound (e.g. another process holds
   * the port on ::1 only): why, per address. The proxy serves on the others.
   */
  readonly notBound: readonly ProxyError[];
  readonly protocol: ProxyProtocol;
  /** The TCP implementation in use (`handles` or `streams`); UDP proxies say `dgram`. */
  readonly engine: 'handles' | 'streams' | 'dgram';
  /** Live: removed or unready backends get no new connections; existing connections finish. */
  setBackends(backends: ProxyBackend[]): void;
  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void;
  /** Live: switching to Reject resets the connections held at that moment. */
  setWhenNoBackend(mode: WhenNoBackend): void;
  /** Cheap: a copy of counters. */
  stats(): ProxyStats;
  /** Stops listening and destroys every connection and flow. Idempotent. */
  close(): Promise<void>;
}

export interface ProxyFactory {
  /** Rejects with a ProxyError (`PortInUse`, `BindFailed`, `AddressNotAvailable`, `InvalidOptions`). */
  start(options: ProxyOptions): Promise<RunningProxy>;
  /** Releases what the factory itself holds (proxy worker processes), after its proxies are closed. */
  close?(): Promise<void>;
}
