// Health probes: one TCP connect or one HTTP GET, bounded in time, never throwing. Real
// implementation: prober.ts (node:net / node:http, no keep-alive); simulator: fake-prober.ts.

export type ProbeCode =
  | 'PROBE_OK'
  | 'PROBE_REFUSED'
  | 'PROBE_TIMEOUT'
  | 'PROBE_HTTP_STATUS'
  /** Connected, but the service did not answer its protocol's greeting as a ready server does. */
  | 'PROBE_PROTOCOL'
  | 'PROBE_INVALID_URL'
  /** The process is stopped (SIGSTOP, a debugger): its socket still accepts, nothing answers. */
  | 'PROBE_PROCESS_STOPPED'
  | 'PROBE_ABORTED'
  | 'PROBE_ERROR';

export interface ProbeResult {
  ok: boolean;
  /** One line for users, e.g. "connect ECONNREFUSED 127.0.0.1:4312" or "HTTP 503 from http://...". */
  message: string;
  /** Stable code (condition reason material). */
  code: ProbeCode;
}

export interface TcpProbeOptions {
  host: string;
  port: number;
  /** After connecting, exchange a greeting in this protocol (protocol-greetings.ts). */
  protocol?: 'redis' | 'postgres' | 'amqp';
  /** Default 1000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpProbeOptions {
  /** http:// or https:// (https does not verify the certificate: local dev certs). */
  url: string;
  /** Default 1000 ms, for the whole exchange (connect, headers). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Prober {
  tcp(options: TcpProbeOptions): Promise<ProbeResult>;
  /** Status 200-399 is healthy. Redirects are not followed. */
  http(options: HttpProbeOptions): Promise<ProbeResult>;
  /**
   * Whether a local process can run at all: not ok when it is stopped (state T or t in /proc). A TCP
   * probe cannot tell, since the kernel keeps accepting connections for a stopped process.
   */
  process(options: { pid: number }): Promise<ProbeResult>;
}
