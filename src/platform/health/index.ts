// Public surface of the health adapter: probes, the Prober interface, real and fake implementations.
export type { HttpProbeOptions, Prober, ProbeCode, ProbeResult, TcpProbeOptions } from './types.ts';
export { HealthError, isHealthError } from './errors.ts';
export type { HealthErrorCode } from './errors.ts';
export { probeTcp, DEFAULT_PROBE_TIMEOUT_MS } from './probe-tcp.ts';
export { probeHttp } from './probe-http.ts';
export { createProber } from './prober.ts';
export { createFakeProber, tcpTarget } from './fake-prober.ts';
export type { FakeProber } from './fake-prober.ts';
