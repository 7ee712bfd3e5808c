// What the pages show, derived from the raw objects: one row per resource with its replicas,
// endpoints and proxies, and the words and colours of states.
import type { Condition, Endpoint, KubeObject, Replica, Resource } from '../../api/types.ts';
import { listOf } from './state.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'info';

export interface ProxyStats {
  activeConnections?: number;
  totalConnections?: number;
  bytesIn?: number;
  bytesOut?: number;
  failedConnects?: number;
  lastError?: string;
}

export interface EndpointView {
  name: string;
  url?: string;
  ready: boolean;
  proxied: boolean;
  object: Endpoint;
  proxy?: KubeObject & { status?: ProxyStats & { address?: string; port?: number } };
  reason?: string;
}

export interface ResourceRow {
  name: string;
  kind: 'executable' | 'container' | 'project';
  state: string;
  tone: Tone;
  /** Why it is not ready, when it is not. */
  reason?: string;
  ready: number;
  desired: number;
  health: { text: string; tone: Tone; reason?: string };
  startedAt?: string;
  restarts: number;
  endpoints: EndpointView[];
  replicas: Replica[];
  stopped: boolean;
  object: Resource;
}

export function kindOf(r: Resource): ResourceRow['kind'] {
  if (r.spec?.container) return 'container';
  if (r.spec?.executable?.launchProfile) return 'project';
  return 'executable';
}

export function toneOf(state: string | undefined): Tone {
  switch (state) {
    case 'Running':
      return 'ok';
    case 'Degraded':
    case 'Starting':
    case 'Waiting':
    case 'Pending':
      return 'warn';
    case 'Failed':
    case 'Exited':
      return 'bad';
    case 'Stopped':
    case 'Completed':
      return 'idle';
    default:
      return 'info';
  }
}

/** The first condition that is not True, as "Reason: message". */
export function notReadyReason(conditions: Condition[] | undefined): string | undefined {
  const c = (conditions ?? []).find((x) => x.status !== 'True');
  if (!c) return undefined;
  return [c.reason, c.message].filter(Boolean).join(': ') || `${c.type} is ${c.status}`;
}

function health(r: Resource, replicas: Replica[], desired: number): ResourceRow['health'] {
  if (r.spec?.stopped || desired === 0) return { text: '—', tone: 'idle' };
  const notReady = replicas.filter((x) => !x.status?.ready);
  const check = r.spec?.healthCheck ? 'Healthy' : 'Ready';
  if (notReady.length === 0 && replicas.length >= desired) return { text: check, tone: 'ok' };
  const why = notReady.map((x) => notReadyReason(x.status?.conditions) ?? x.status?.message).find(Boolean);
  return { text: r.spec?.healthCheck ? 'Unhealthy' : 'Not ready', tone: 'warn', reason: why };
}

export function resourceRows(): ResourceRow[] {
  const replicas = listOf<Replica>('replicas');
  const endpoints = listOf<Endpoint>('endpoints');
  const proxies = listOf<KubeObject & { status?: ProxyStats }>('proxies');
  return listOf<Resource>('resources')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((r) => {
      const name = r.metadata.name;
      const reps = replicas.filter((x) => x.spec?.resource === name).sort((a, b) => (a.spec.index ?? 0) - (b.spec.index ?? 0));
      const desired = r.spec?.replicas ?? 1;
      const ready = reps.filter((x) => x.status?.ready).length;
      const state = r.status?.phase ?? 'Pending';
      const eps = endpoints
        .filter((e) => e.spec?.resource === name)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map((e): EndpointView => {
          const readyCond = e.status?.conditions?.find((c) => c.type === 'Ready');
          const hasTargets = (e.status?.targets ?? []).some((t) => t.ready);
          return {
            name: e.spec?.name ?? e.metadata.name,
            url: e.status?.url,
            ready: !!e.status?.url && (readyCond ? readyCond.status === 'True' : hasTargets),
            proxied: e.status?.proxied ?? e.spec?.isProxied !== false,
            object: e,
            proxy: proxies.find((p) => p.metadata.ownerReferences?.some((o) => o.uid === e.metadata.uid)) as EndpointView['proxy'],
            reason: notReadyReason(e.status?.conditions),
          };
        });
      const started = reps.map((x) => x.status?.startedAt).filter((t): t is string => !!t).sort()[0];
      const notOk = state !== 'Running' && state !== 'Stopped';
      return {
        name,
        kind: kindOf(r),
        state,
        tone: toneOf(state),
        reason: notOk ? r.status?.message || notReadyReason(r.status?.conditions) : undefined,
        ready,
        desired,
        health: health(r, reps, desired),
        startedAt: started,
        restarts: reps.reduce((n, x) => n + (x.status?.restarts ?? 0), 0),
        endpoints: eps,
        replicas: reps,
        stopped: !!r.spec?.stopped,
        object: r,
      };
    });
}
