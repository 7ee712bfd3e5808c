// databases: Resource spec.databases -> databases on the running server. For a resource that speaks
// postgres (healthCheck.type postgres), once one of its replicas is ready, connect to it as
// POSTGRES_USER / POSTGRES_PASSWORD of the replica's env and create each database that does not
// exist yet (as Aspire's AddDatabase does). Writes the Resource condition DatabasesReady; a failure
// is retried with backoff and shown in the condition's message.
import type { Condition, Replica, Resource } from '../../src/api/types.ts';
import type { DatabaseCreator } from '../../src/platform/databases/types.ts';
import { getCondition, setCondition } from '../../src/runtime/conditions.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';
import { RESOURCE_LABEL, TARGET_ADDRESS, isDeleting, resourceEndpoints } from '../shared/index.ts';

export const DATABASES_READY = 'DatabasesReady';

export interface DatabasesControllerOptions {
  postgres: DatabaseCreator;
}

function envOf(rep: Replica, name: string): string | undefined {
  return rep.spec.env?.find((e) => e.name === name)?.value;
}

export function createDatabasesController(options: DatabasesControllerOptions): ControllerDefinition {
  /** `<uid>/<containerId or pid>/<database>` created or found in this run: not asked again. */
  const done = new Set<string>();

  async function writeCondition(ctx: ReconcileContext, res: Resource, c: Omit<Condition, 'lastTransitionTime'>): Promise<void> {
    const prev = getCondition(res.status?.conditions, DATABASES_READY);
    if (prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message) return;
    const conditions = setCondition(res.status?.conditions ?? [], c, ctx.now(), res.metadata.generation);
    await ctx.client.patchStatus<Resource>('Resource', res.metadata.namespace ?? '', res.metadata.name, { status: { conditions } });
  }

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const res = await ctx.client.get<Resource>('Resource', key.namespace, key.name);
    const dbs = res?.spec.databases ?? [];
    if (!res || isDeleting(res) || dbs.length === 0) return;
    if (res.spec.healthCheck?.type !== 'postgres') {
      await writeCondition(ctx, res, { type: DATABASES_READY, status: 'False', reason: 'UnsupportedServer', message: 'databases are created on postgres servers only (healthCheck.type postgres)' });
      return;
    }
    const reps = await ctx.client.list<Replica>('Replica', { namespace: key.namespace, labelSelector: `${RESOURCE_LABEL}=${key.name}` });
    const rep = reps.find((r) => r.status?.ready === true && !isDeleting(r));
    if (!rep) {
      await writeCondition(ctx, res, { type: DATABASES_READY, status: 'False', reason: 'WaitingForServer', message: 'waiting for a ready replica' });
      return;
    }
    const endpoint = res.spec.healthCheck?.endpoint ?? resourceEndpoints(res).find((e) => e.protocol === 'TCP')?.name;
    const p = [...(rep.status?.ports ?? []), ...(rep.spec.ports ?? [])].find((x) => x.name === endpoint);
    const port = p?.hostPort ?? p?.targetPort;
    const password = envOf(rep, 'POSTGRES_PASSWORD');
    if (!port || password === undefined) {
      await writeCondition(ctx, res, { type: DATABASES_READY, status: 'False', reason: 'WaitingForServer', message: port ? 'the replica has no POSTGRES_PASSWORD' : 'waiting for the server port' });
      return;
    }
    const instance = `${res.metadata.uid}/${rep.status?.containerId ?? rep.status?.pid ?? rep.metadata.uid}`;
    const user = envOf(rep, 'POSTGRES_USER') ?? 'postgres';
    for (const db of dbs) {
      const name = db.databaseName ?? db.name;
      const id = `${instance}/${name}`;
      if (done.has(id)) continue;
      try {
        const outcome = await options.postgres.ensure({ host: TARGET_ADDRESS, port, user, password, database: name, signal: ctx.signal });
        done.add(id);
        ctx.log.info({ database: name, outcome }, `database ${outcome}`);
      } catch (err) {
        await writeCondition(ctx, res, { type: DATABASES_READY, status: 'False', reason: 'CreateFailed', message: (err as Error).message });
        throw err; // retried with backoff
      }
    }
    await writeCondition(ctx, res, { type: DATABASES_READY, status: 'True', reason: 'Created', message: `${dbs.map((d) => d.databaseName ?? d.name).join(', ')} exist` });
  }

  return {
    name: 'databases',
    for: 'Resource',
    watches: [{ type: 'Replica', map: (obj) => [{ namespace: obj.metadata.namespace ?? '', name: (obj as Replica).spec?.resource ?? '' }].filter((k) => k.name) }],
    reconcile,
    dispose: () => done.clear(),
  };
}
