// endpoint-proxies: Endpoint -> Proxy `<endpoint-name>` (controller-owned by the Endpoint) listening on
// localhost:<Endpoint status.port> with the Endpoint's ready targets as backends. Proxyless
// endpoints, or endpoints without an allocated port yet, get no Proxy (an owned one is deleted).
import { API_VERSION, type Endpoint, type Proxy, type ProxyBackend, type ProxySpec } from '../../src/api/types.ts';
import { deepEqual } from '../../src/runtime/equal.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';

export const ENDPOINT_LABEL = 'apphost.dev/endpoint';
export const RESOURCE_LABEL = 'apphost.dev/resource';

export function desiredProxySpec(ep: Endpoint): ProxySpec | undefined {
  const st = ep.status;
  if (!st?.proxied || !st.port) return undefined;
  const backends: ProxyBackend[] = (st.targets ?? [])
    .filter((t) => t.ready && t.port > 0)
    .map((t) => ({ name: t.replica, address: t.address, port: t.port, ready: true }));
  return { listen: { address: 'localhost', port: st.port }, protocol: ep.spec.protocol ?? 'TCP', backends };
}

function ownedBy(px: Proxy, ep: Endpoint): boolean {
  return (px.metadata.ownerReferences ?? []).some((o) => o.kind === 'Endpoint' && o.uid === ep.metadata.uid);
}

export function createEndpointProxiesController(): ControllerDefinition {
  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const ep = await ctx.client.get<Endpoint>('Endpoint', key.namespace, key.name);
    if (!ep || ep.metadata.deletionTimestamp) return; // owned Proxies go with the Endpoint (ownerReferences)
    const desired = desiredProxySpec(ep);
    const existing = await ctx.client.get<Proxy>('Proxy', key.namespace, key.name);
    if (existing && !ownedBy(existing, ep)) {
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
          labels: { [ENDPOINT_LABEL]: ep.metadata.name, [RESOURCE_LABEL]: ep.spec.resource },
          ownerReferences: [
            { apiVersion: API_VERSION, kind: 'Endpoint', name: ep.metadata.name, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true },
          ],
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

  return { name: 'endpoint-proxies', for: 'Endpoint', owns: ['Proxy'], reconcile };
}
