// The real Prober: node:net / node:http probes.
import { probeHttp } from './probe-http.ts';
import { probeTcp } from './probe-tcp.ts';
import { probeProcess } from './probe-process.ts';
import type { Prober } from './types.ts';

export function createProber(): Prober {
  return { tcp: probeTcp, http: probeHttp, process: probeProcess };
}
