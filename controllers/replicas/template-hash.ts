// The template hash of a replica: everything that needs a restart when it changes (what runs, its
// env values and its ports). The processes and containers controllers restart on a change.
import { createHash } from 'node:crypto';
import type { ReplicaEndpointPort, Resource } from '../../src/api/types.ts';
import type { EnvVarValue } from './env.ts';

export function templateHash(res: Resource, env: readonly EnvVarValue[], ports: readonly ReplicaEndpointPort[]): string {
  const what = res.spec.container ? { container: res.spec.container } : { executable: localExecutable(res) };
  const text = stableStringify([what, env.map((e) => [e.name, e.value]), ports.map((p) => [p.name, p.targetPort, p.hostPort ?? null])]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The executable as the local run sees it: `image` is for `apphostctl export` only, so it restarts nothing. */
function localExecutable(res: Resource): unknown {
  const exe = res.spec.executable;
  if (!exe || exe.image === undefined) return exe;
  const { image: _exportOnly, ...rest } = exe;
  return rest;
}

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}
