// Container and network names and the lifecycle key of a container.
import { createHash, randomBytes } from 'node:crypto';
import type { Lifetime } from '../../src/api/types.ts';
import { sanitizeName, type AppIdentity } from './labels.ts';

/** `<resource>-<suffix>`: random per session container, derived from the project for persistent ones. */
export function containerName(options: { resource: string; lifetime: Lifetime; app: AppIdentity; index?: number; random?: () => string }): string {
  const base = sanitizeName(options.resource);
  if (options.lifetime === 'Persistent') {
    const h = createHash('sha256').update(`${options.app.projectHash}/${options.app.name}`).digest('hex').slice(0, 8);
    return `${base}-${h}`;
  }
  const random = options.random ?? (() => randomBytes(4).toString('hex'));
  return `${base}-${random()}`;
}

export function sessionNetworkName(app: AppIdentity): string {
  return `apphost-session-network-${sanitizeName(app.instanceId)}-${sanitizeName(app.name)}`;
}

export function persistentNetworkName(app: AppIdentity): string {
  return `apphost-persistent-network-${sanitizeName(app.projectHash)}-${sanitizeName(app.name)}`;
}

export function networkRuntimeName(app: AppIdentity, lifetime: Lifetime): string {
  return lifetime === 'Persistent' ? persistentNetworkName(app) : sessionNetworkName(app);
}

/** Stable JSON (sorted keys) so the hash does not depend on property order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Hash of what defines the container: image, command, args, env, ports, volumes, network and
 * aliases. Never per-run values (ids, random names, Docker-chosen host ports).
 */
export function lifecycleKey(parts: {
  image: string;
  command?: string;
  args?: string[];
  env: Record<string, string>;
  ports: { containerPort: number; protocol?: string; hostPort?: number }[];
  volumes?: unknown[];
  network?: string;
  aliases?: string[];
  extraHosts?: Record<string, string>;
}): string {
  return createHash('sha256').update(stable(parts)).digest('hex').slice(0, 16);
}
