// endpoint-proxies: Endpoint -> Proxy `<endpoint-name>` (controller-owned by the Endpoint) listening on
// localhost:<Endpoint status.port> with the Endpoint's ready targets as backends. Proxyless
// endpoints, or endpoints without an allocated port yet, get no Proxy (an owned one is deleted).
// While no backend can come soon (every replica of the resource failed, see noBackendCanCome), the
// Proxy says whenNoBackend: Reject, so clients are reset at once instead of held for 30 s.
import { API_VERSION, type Endpoint, type Proxy, type ProxyBackend, type ProxySpec, type Replica } from '../../src/api/types.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { DevCertificates } from '../../src/platform/tls/index.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';
import { ENDPOINT_LABEL, LOCAL_HOST, RESOURCE_LABEL, controllerReference, isControlledBy } from '../shared/index.ts';

/** An https endpoint whose TLS the proxy terminates (the replicas speak plain http). */
export function proxyTerminatesTls(ep: Endpoint): boolean {
  return ep.spec.scheme?.toLowerCase() === 'https' && ep.spec.tlsTermination === 'proxy';
}

/**
 * Every replica has stopped with a failure and is not about to come back by itself soon: it is not
 * in a restart backoff (policy Never, a container whose image is missing...), or it failed again
 * after a restart (a crash loop). A process's first crash, its restart a backoff away, still holds.
 */
export function noBackendCanCome(replicas: readonly Replica[]): boolean {
  return (
    replicas.length > 0 &&
    replicas.every((r) => {
      const st = r.status;
      if (st?.ready === true || (st?.state !== 'Failed' && st?.state !== 'Exited')) return false;
      const restarting = getCondition(st.conditions, 'Running')?.reason === 'BackOff';
      return !restarting || (st.restarts ?? 0) > 0;
    })
  );
}

export function desiredProxySpec(ep: Endpoint, options: { tls?: ProxySpec['tls']; replicas?: readonly Replica[] } = {}): ProxySpec | undefined {
  const st = ep.status;
  if (!st?.proxied || !st.port) return undefined;
  const backends: ProxyBackend[] = (st.targets ?? [])
    .filter((t) => t.ready && t.port > 0)
    .map((t) => ({ name: t.replica, address: t.address, port: t.port, ready: true }));
  const whenNoBackend = backends.length === 0 && noBackendCanCome(options.replicas ?? []) ? 'Reject' : 'Hold';
  const tls = options.tls;
  return { listen: { address: LOCAL_HOST, port: st.port }, protocol: ep.spec.protocol ?? 'TCP', backends, whenNoBackend, ...(tls ? { tls } : {}) };
}

export interface EndpointProxiesOptions {
  /** For `tlsTermination: proxy`: the development certificate the proxy serves. */
  devCertificates?: DevCertificates;
}

export function createEndpointProxiesController(options: EndpointProxiesOptions = {}): ControllerDefinition {
  /** `ns/resource` -> its Endpoint names, for the Replica watch. */
  const byResource = new Map<string, Set<string>>();

  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const ep = await ctx.client.get<Endpoint>('Endpoint', key.namespace, key.name);
    if (!ep || ep.metadata.deletionTimestamp) {
      for (const names of byResource.values()) names.delete(key.name);
      return; // owned Proxies go with the Endpoint (ownerReferences)
    }
    const resKey = `${key.namespace}/${ep.spec.resource}`;
    if (!byResource.has(resKey)) byResource.set(resKey, new Set());
    byResource.get(resKey)!.add(key.name);
    let tls: ProxySpec['tls'];
    if (proxyTerminatesTls(ep) && options.devCertificates) {
      const paths = await options.devCertificates.ensure(); // a failure is retried with backoff
      tls = { certFile: paths.cert, keyFile: paths.key };
    }
    const replicas = ep.status?.proxied
      ? await ctx.client.list<Replica>('Replica', { namespace: key.namespace, labelSelector: `${RESOURCE_LABEL}=${ep.spec.resource}` })
      : [];
    const desired = desiredProxySpec(ep, { ...(tls ? { tls } : {}), replicas: replicas.filter((r) => !r.metadata.deletionTimestamp) });
    const existing = await ctx.client.get<Proxy>('Proxy', key.namespace, key.name);
    if (existing && !isControlledBy(existing, ep)) {
      ctx.log.warn({ proxy: key.name }, 'a Proxy with this name exists and is not owned by the Endpoint: leaving it alone');
      return;
    }
    if (!desired) {
      if (existing) await ctx.client.delete('Proxy', key.namespace, key.name);
      return;
    }
    if (!existing) {
      await ctx.client.create<Proxy>({
        apiVersion: API_VERSION,
        kind: 'Proxy',
        metadata: {
          name: key.name,
          namespace: key.namespace,
          labels: { [RESOURCE_LABEL]: ep.spec.resource, ...(ep.spec.name ? { [ENDPOINT_LABEL]: ep.spec.name } : {}) },
          ownerReferences: [controllerReference(ep)],
        },
        spec: desired,
      });
      return;
    }
    // Keep fields users may set on the Proxy (policy, affinity); own listen, protocol and backends.
    const next: ProxySpec = { ...existing.spec, ...desired };
    if (deepEqual(next, existing.spec)) return;
    await ctx.client.update<Proxy>({ ...existing, spec: next });
  }

  return {
    name: 'endpoint-proxies',
    for: 'Endpoint',
    owns: ['Proxy'],
    watches: [
      {
        type: 'Replica',
        map: (o) => {
          const ns = o.metadata.namespace ?? 'default';
          const resource = (o.spec as { resource?: string } | undefined)?.resource ?? '';
          return [...(byResource.get(`${ns}/${resource}`) ?? [])].map((name) => ({ namespace: ns, name }));
        },
      },
    ],
    reconcile,
  };
}
