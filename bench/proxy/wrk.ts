// Runs wrk and reads its report.
import { run } from './tools.ts';

export interface WrkResult {
  requestsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Socket errors (connect + read + write + timeout) and non-2xx/3xx responses. */
  errors: number;
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationSec: number;
  threads?: number;
  headers?: string[];
  cpus?: string;
}

export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationSec}s`,
    '--latency',
    ...(options.headers ?? []).flatMap((h) => ['-H', h]),
    options.url,
  ];
  const out = await run('wrk', args, { cpus: options.cpus, timeoutMs: (options.durationSec + 15) * 1000 });
  return parseWrk(out);
}

export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`cannot read wrk output:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { requestsPerSec: Number(rps[1]), p50Ms: percentile(out, '50%'), p99Ms: percentile(out, '99%'), errors };
}

function percentile(out: string, label: string): number | undefined {
  const m = new RegExp(`^\\s+${label.replace('%', '%')}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
}
