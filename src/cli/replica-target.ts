// `resource/x`, `replica/x`, or a bare name (a replica if one has that name, else a resource):
// the replicas the user means.
import type { Replica } from '../api/types.ts';
import { CliError, isCliError } from './errors.ts';
import { objectPath } from './kinds.ts';
import type { Session } from './session.ts';

export interface ReplicaTarget {
  /** Set when the target is a whole resource (its replicas may come and go). */
  resource?: string;
  replicas: Replica[];
}

const REPLICAS = '/apis/apphost.dev/v1/namespaces';

export async function listReplicasOf(s: Session, resource: string): Promise<Replica[]> {
  const list = await s.client.request<{ items: Replica[] }>({ path: `${REPLICAS}/${s.namespace}/replicas` });
  return (list.items ?? [])
    .filter((r) => r.spec?.resource === resource)
    .sort((a, b) => (a.spec?.index ?? 0) - (b.spec?.index ?? 0));
}

export async function resolveReplicaTarget(s: Session, arg: string): Promise<ReplicaTarget> {
  const kinds = await s.kinds();
  let type: string | undefined;
  let name = arg;
  if (arg.includes('/')) [type, name] = arg.split('/', 2);
  const kind = type ? kinds.resolve(type) : undefined;
  if (kind && (kind.group !== 'apphost.dev' || (kind.kind !== 'Resource' && kind.kind !== 'Replica'))) {
    throw new CliError('USAGE', `"${arg}": expected resource/NAME or replica/NAME`);
  }
  const resourceKind = kinds.resolve('resources.apphost.dev');
  const replicaKind = kinds.resolve('replicas.apphost.dev');
  if (!kind || kind.kind === 'Replica') {
    try {
      const r = await s.client.request<Replica>({ path: objectPath(replicaKind, s.namespace, name) });
      return { replicas: [r] };
    } catch (err) {
      if (!isCliError(err, 'API_ERROR') || err.status?.code !== 404 || kind) throw err;
    }
  }
  // A resource: it must exist (a clear NotFound otherwise).
  await s.client.request({ path: objectPath(resourceKind, s.namespace, name) }).catch((err: unknown) => {
    if (!kind && isCliError(err, 'API_ERROR') && err.status?.code === 404) {
      throw new CliError('NOT_FOUND', `no replica or resource named "${name}" in namespace ${s.namespace} (see \`apphostctl get resources,replicas\`)`);
    }
    throw err;
  });
  return { resource: name, replicas: await listReplicasOf(s, name) };
}
