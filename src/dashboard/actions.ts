// The buttons of the resources page, as the same API writes `apphostctl` makes: scale patches
// spec.replicas, stop/start patch spec.stopped, restart records apphost.dev/restartedAt and then
// replaces the replicas one at a time (each successor ready before the next goes), in the
// background so the page gets its answer at once. A refused write throws the API's ApiError.
import { RESTARTED_AT_ANNOTATION } from '../api/annotations.ts';
import { ApiError } from '../api/status.ts';
import type { Replica } from '../api/types.ts';
import type { Client } from '../runtime/types.ts';

export type Action = 'restart' | 'stop' | 'start' | 'scale';
export const ACTIONS: readonly Action[] = ['restart', 'stop', 'start', 'scale'];

export interface ActionOptions {
  client: Client;
  namespace: string;
  /** How long a restart waits for each new replica to be ready. Default 60 s. */
  readyTimeoutMs?: number;
  onBackgroundError?(err: unknown): void;
}

const RESOURCES = 'resources.apphost.dev';
const REPLICAS = 'replicas.apphost.dev';

export function createActions(o: ActionOptions) {
  const { client, namespace } = o;
  const readyTimeoutMs = o.readyTimeoutMs ?? 60_000;
  const patch = (name: string, body: unknown) => client.patch(RESOURCES, namespace, name, body, 'merge');

  async function waitReady(name: string, oldUid: string | undefined, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const now = await client.get<Replica>(REPLICAS, namespace, name);
      if (now && now.metadata.uid !== oldUid && now.status?.ready) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function rollReplicas(resource: string): Promise<void> {
    const replicas = (await client.list<Replica>(REPLICAS, { namespace })).filter((r) => r.spec?.resource === resource);
    replicas.sort((a, b) => (a.spec.index ?? 0) - (b.spec.index ?? 0));
    for (const r of replicas) {
      await client.delete(REPLICAS, namespace, r.metadata.name, { propagationPolicy: 'Background' });
      await waitReady(r.metadata.name, r.metadata.uid, Date.now() + readyTimeoutMs);
    }
  }

  return {
    async run(action: Action, name: string, body: { replicas?: unknown }): Promise<void> {
      switch (action) {
        case 'scale': {
          const n = body.replicas;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
            throw new ApiError('BadRequest', `replicas must be a whole number >= 0, got ${JSON.stringify(n)}`);
          }
          await patch(name, { spec: { replicas: n } });
          return;
        }
        case 'stop':
        case 'start':
          await patch(name, { spec: { stopped: action === 'stop' } });
          return;
        case 'restart':
          await patch(name, { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } } });
          void rollReplicas(name).catch((err) => o.onBackgroundError?.(err));
          return;
      }
    },
  };
}
