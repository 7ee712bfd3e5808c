// Orphan cleanup: session containers and networks left by an apphost that is no longer running
// (killed with SIGKILL, crashed). Persistent objects are never touched.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ContainerRuntime } from '../../src/platform/docker/index.ts';
import { isInstanceAlive } from '../../src/platform/process/index.ts';
import { LABELS } from './labels.ts';

export type InstanceAliveCheck = (labels: Record<string, string>) => boolean;

/**
 * Alive unless it ran on this host and is gone: an instance id `<pid>-<start time>` (the host's
 * currentInstanceId) is checked exactly (pid reuse safe); otherwise the pid label is.
 */
export function defaultInstanceAlive(labels: Record<string, string>): boolean {
  if (labels[LABELS.host] && labels[LABELS.host] !== hostname()) return true;
  const instance = labels[LABELS.instance] ?? '';
  if (/^\d+-\d+$/.test(instance)) return isInstanceAlive(instance);
  const pid = Number(labels[LABELS.pid]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OrphanCleanupResult {
  containers: string[];
  networks: string[];
}

/** Removes session containers, then session networks, whose instance is not `instanceId` and is dead. */
export async function removeOrphans(options: {
  runtime: ContainerRuntime;
  instanceId: string;
  isAlive?: InstanceAliveCheck;
  logger?: Logger;
}): Promise<OrphanCleanupResult> {
  const { runtime, instanceId, logger } = options;
  const isAlive = options.isAlive ?? defaultInstanceAlive;
  const orphan = (labels: Record<string, string>): boolean =>
    labels[LABELS.lifetime] === 'Session' && labels[LABELS.instance] !== instanceId && !isAlive(labels);
  const result: OrphanCleanupResult = { containers: [], networks: [] };

  const containers = await runtime.listContainers({ labels: [`${LABELS.lifetime}=Session`] });
  for (const c of containers.filter((c) => orphan(c.labels))) {
    await runtime.removeContainer(c.id, { force: true });
    result.containers.push(c.name);
  }
  const networks = await runtime.listNetworks({ labels: [`${LABELS.lifetime}=Session`] });
  for (const n of networks.filter((n) => orphan(n.labels))) {
    // Anything still attached belonged to the dead instance too (or is a stray): detach it first.
    for (const id of Object.keys(n.containers)) await runtime.disconnectNetwork(n.id, id, { force: true });
    await runtime.removeNetwork(n.id);
    result.networks.push(n.name);
  }
  if (result.containers.length || result.networks.length) {
    logger?.info(result, 'removed containers and networks left by a dead apphost instance');
  }
  return result;
}
