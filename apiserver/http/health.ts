// /healthz, /livez and /readyz as kube-apiserver answers them: `ok`, or with `?verbose` one line per
// check (`[+]ping ok`, `[-]store failed: reason withheld`) and `readyz check passed|failed`; a failure
// is always verbose, with HTTP 500. `?exclude=<name>` skips a check; `/readyz/<name>` runs one.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../src/api/status.ts';

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthCheck {
  /** As listed: `ping`, `store`, `informer-sync`... */
  name: string;
  /** Resolves to a reason when the check fails (a throw fails it too); undefined when it passes. */
  check(): string | undefined | Promise<string | undefined>;
  /** Also a liveness check (/livez, /healthz). Default: readiness (/readyz) only. */
  live?: boolean;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache, private' };

/** The checks an endpoint runs, in order. */
export function checksFor(endpoint: HealthEndpoint, checks: readonly HealthCheck[]): HealthCheck[] {
  return endpoint === 'readyz' ? [...checks] : checks.filter((c) => c.live);
}

async function failure(check: HealthCheck): Promise<string | undefined> {
  try {
    return await check.check();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function send(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { ...TEXT, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface HealthRequest {
  endpoint: HealthEndpoint;
  /** `/readyz/<check>`: just that one. */
  check?: string;
  query: URLSearchParams;
  /** Told why each failing check failed (the answer withholds it). */
  onFailure?: (check: string, reason: string) => void;
}

export async function serveHealth(res: ServerResponse, request: HealthRequest, all: readonly HealthCheck[]): Promise<void> {
  const { endpoint, check: checkName, query } = request;
  const checks = checksFor(endpoint, all);
  if (checkName !== undefined) {
    const one = checks.find((c) => c.name === checkName);
    if (!one) throw new ApiError('NotFound', `no ${endpoint} check named "${checkName.slice(0, 100)}"`);
    const reason = await failure(one);
    return reason === undefined ? send(res, 200, 'ok') : send(res, 500, `internal server error: ${reason}\n`);
  }
  const excluded = new Set(query.getAll('exclude'));
  const results = await Promise.all(checks.map(async (c) => (excluded.delete(c.name) ? 'excluded' : await failure(c))));
  checks.forEach((c, i) => {
    const r = results[i];
    if (r !== undefined && r !== 'excluded') request.onFailure?.(c.name, r);
  });
  const lines = checks.map((c, i) => {
    const r = results[i];
    if (r === 'excluded') return `[+]${c.name} excluded: ok`;
    return r === undefined ? `[+]${c.name} ok` : `[-]${c.name} failed: reason withheld`;
  });
  if (excluded.size > 0) lines.push(`warn: some health checks cannot be excluded: no matches for ${[...excluded].map((n) => `"${n}"`).join(',')}`);
  const failed = results.some((r) => r !== undefined && r !== 'excluded');
  if (failed) return send(res, 500, `${lines.join('\n')}\n${endpoint} check failed\n`);
  if (!query.has('verbose')) return send(res, 200, 'ok');
  send(res, 200, `${lines.join('\n')}\n${endpoint} check passed\n`);
}
