// Public surface of the health adapter.
// Coming next in this folder (signatures fixed):
//   probeTcp(options: TcpProbeOptions): Promise<ProbeResult>
//   probeHttp(options: HttpProbeOptions): Promise<ProbeResult>
//   createProber(): Prober                                                    real
//   createFakeProber(): FakeProber                                            simulator
export type { HttpProbeOptions, Prober, ProbeCode, ProbeResult, TcpProbeOptions } from './types.ts';
export { HealthError, isHealthError } from './errors.ts';
export type { HealthErrorCode } from './errors.ts';
