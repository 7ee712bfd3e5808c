// logs: frees a replica's log ring once the Replica is gone (deleted, scaled down, its resource
// removed), so memory follows what runs. A Replica re-created under the same name keeps its lines
// (the ring is only cleared while no such Replica exists), as `kubectl logs` keeps a pod's.
import type { Replica } from '../../src/api/types.ts';
import type { LogStore } from '../../src/platform/logs/types.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';

export interface LogRetentionControllerOptions {
  logs: Pick<LogStore, 'clear'>;
}

export function createLogRetentionController(options: LogRetentionControllerOptions): ControllerDefinition {
  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const rep = await ctx.client.get<Replica>('Replica', key.namespace, key.name);
    if (!rep) options.logs.clear(`${key.namespace}/${key.name}`);
  }
  return { name: 'logs', for: 'Replica', reconcile };
}
