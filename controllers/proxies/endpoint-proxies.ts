// endpoint-proxies: Endpoint -> Proxy `<endpoint-name>` (controller-owned by the Endpoint) listening on
// localhost:<Endpoint status.port> with the Endpoint's ready targets as backends. Proxyless
// endpoints, or endpoints without an allocated port yet, get no Proxy (an owned one is deleted).
import { API_VERSION, type Endpoint, type Proxy, type ProxyBackend, type ProxySpec } from '../../src/api/types.ts';
import { deepEqual } from '../../src/api/json.ts';
import type { DevCertificates } from '../../src/platform/tls/index.ts';
import type { ControllerDefinition, ObjectKey, ReconcileContext } from '../../src/runtime/types.ts';
import { ENDPOINT_LABEL, LOCAL_HOST, RESOURCE_LABEL, controllerReference, isControlledBy } from '../shared/index.ts';

/** An https endpoint whose TLS the proxy terminates (the replicas speak plain http). */
export function proxyTerminatesTls(ep: Endpoint): boolean {
  return ep.spec.scheme?.toLowerCase() === 'https' && ep.spec.tlsTermination === 'proxy';
}

export function desiredProxySpec(ep: Endpoint, tls?: ProxySpec['tls']): ProxySpec | undefined {
  const st = ep.status;
  if (!st?.proxied || !st.port) return undefined;
  const backends: ProxyBackend[] = (st.targets ?? [])
    .filter((t) => t.ready && t.port > 0)
    .map((t) => ({ name: t.replica, address: t.address, port: t.port, ready: true }));
  return { listen: { address: LOCAL_HOST, port: st.port }, protocol: ep.spec.protocol ?? 'TCP', backends, ...(tls ? { tls } : {}) };
}

export interface EndpointProxiesOptions {
  /** For `tlsTermination: proxy`: the development certificate the proxy serves. */
  devCertificates?: DevCertificates;
}

export function createEndpointProxiesController(options: EndpointProxiesOptions = {}): ControllerDefinition {
  async function reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<void> {
    const ep = await ctx.client.get<Endpoint>('Endpoint', key.namespace, key.name);
    if (!ep || ep.metadata.deletionTimestamp) return; // owned Proxies go with the Endpoint (ownerReferences)
    let tls: ProxySpec['tls'];
    if (proxyTerminatesTls(ep) && options.devCertificates) {
      const paths = await options.devCertificates.ensure(); // a failure is retried with backoff
      tls = { certFile: paths.cert, keyFile: paths.key };
    }
    const desired = desiredProxySpec(ep, tls);
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

  return { name: 'endpoint-proxies', for: 'Endpoint', owns: ['Proxy'], reconcile };
}
