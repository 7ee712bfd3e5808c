// An out-of-process controller for the PortForward kind (crds/portforwards.yaml beside this file). It talks to a
// running apphost only through its kubeconfig, with @kubernetes/client-node informers, like any
// Kubernetes controller would. For each PortForward it keeps one Proxy object (owned by the
// PortForward, so deleting the forward deletes the proxy) listening on the local port and
// forwarding to the endpoint's address; apphost's proxies controller does the listening.
//
//   apphostctl up -f examples/starter --crds examples/controllers/port-forward/crds
//   node bin/run-ts.js examples/controllers/port-forward/controller.ts [--kubeconfig .apphost/kubeconfig]
//   apphostctl apply -f examples/controllers/port-forward/example.yaml
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';

const GROUP = 'examples.apphost.dev';
const PLURAL = 'portforwards';

interface PortForward extends KubernetesObject {
  spec: { resource: string; endpoint?: string; localPort: number; address?: string };
  status?: { phase?: string; target?: string; url?: string; proxy?: string; message?: string; observedGeneration?: number };
}

interface ApphostObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface PortForwardController {
  stop(): Promise<void>;
}

function errorText(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** The Proxy that should exist for a forward, or the reason there is none yet. */
export function desiredProxy(pf: PortForward, endpoint: ApphostObject | undefined): ApphostObject | string {
  const endpointName = `${pf.spec.resource}-${pf.spec.endpoint ?? 'http'}`;
  const port = endpoint?.status?.port as number | undefined;
  if (!endpoint || !port) return `waiting for endpoint ${endpointName}`;
  const address = (endpoint.status?.address as string | undefined) ?? '127.0.0.1';
  return {
    apiVersion: 'apphost.dev/v1',
    kind: 'Proxy',
    metadata: {
      name: `pf-${pf.metadata!.name}`,
      namespace: pf.metadata!.namespace,
      labels: { 'examples.apphost.dev/port-forward': pf.metadata!.name! },
      ownerReferences: [
        { apiVersion: `${GROUP}/v1`, kind: 'PortForward', name: pf.metadata!.name!, uid: pf.metadata!.uid!, controller: true },
      ],
    },
    spec: {
      listen: { address: pf.spec.address ?? '127.0.0.1', port: pf.spec.localPort },
      protocol: 'TCP',
      backends: [{ name: endpointName, address: address === 'localhost' ? '127.0.0.1' : address, port, ready: true }],
    },
  };
}

export async function startPortForwardController(kubeconfigPath: string, log = console): Promise<PortForwardController> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(CustomObjectsApi);
  const custom = { group: 'apphost.dev', version: 'v1' };

  const forwards = makeInformer<PortForward>(kc, `/apis/${GROUP}/v1/${PLURAL}`, () =>
    api.listClusterCustomObject({ group: GROUP, version: 'v1', plural: PLURAL }),
  );
  const endpoints = makeInformer<ApphostObject>(kc, '/apis/apphost.dev/v1/endpoints', () =>
    api.listClusterCustomObject({ ...custom, plural: 'endpoints' }),
  );
  const proxies = makeInformer<ApphostObject>(kc, '/apis/apphost.dev/v1/proxies', () =>
    api.listClusterCustomObject({ ...custom, plural: 'proxies' }),
  );

  // A one-worker queue of PortForward keys: a key queued while it runs gets one more pass.
  const pending = new Set<string>();
  let running: Promise<void> | undefined;
  const enqueue = (key: string) => {
    pending.add(key);
    running ??= drain().finally(() => (running = undefined));
  };
  const drain = async () => {
    while (pending.size > 0) {
      const [key] = pending;
      pending.delete(key);
      await reconcile(key).catch((err) => {
        log.error(`port-forward ${key}: ${errorText(err)}`);
        setTimeout(() => enqueue(key), 1000).unref();
      });
    }
  };

  const find = <T extends KubernetesObject>(list: readonly T[], namespace: string, name: string) =>
    list.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name);

  async function reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const pf = find(forwards.list(), namespace, name);
    if (!pf || pf.metadata?.deletionTimestamp) return; // the Proxy goes with it (owner reference)
    const endpointName = `${pf.spec.resource}-${pf.spec.endpoint ?? 'http'}`;
    const desired = desiredProxy(pf, find(endpoints.list(), namespace, endpointName));
    let status: PortForward['status'];
    if (typeof desired === 'string') {
      status = { phase: 'Pending', message: desired };
    } else {
      const proxyName = desired.metadata!.name!;
      const current = find(proxies.list(), namespace, proxyName);
      const target = { group: 'apphost.dev', version: 'v1', namespace, plural: 'proxies' };
      if (!current) {
        await api.createNamespacedCustomObject({ ...target, body: desired });
      } else if (JSON.stringify(current.spec) !== JSON.stringify(desired.spec)) {
        await api.replaceNamespacedCustomObject({
          ...target,
          name: proxyName,
          body: { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion } },
        });
      }
      const backend = (desired.spec!.backends as { address: string; port: number }[])[0];
      const boundPort = current?.status?.port as number | undefined;
      const lastError = current?.status?.lastError as string | undefined;
      status = {
        phase: boundPort ? 'Ready' : lastError ? 'Failed' : 'Pending',
        target: `${backend.address}:${backend.port}`,
        proxy: proxyName,
        ...(boundPort ? { url: `tcp://${pf.spec.address ?? '127.0.0.1'}:${boundPort}` } : {}),
        ...(lastError && !boundPort ? { message: lastError } : {}),
      };
    }
    status.observedGeneration = pf.metadata?.generation;
    if (JSON.stringify(status) === JSON.stringify(pf.status)) return;
    await api.replaceNamespacedCustomObjectStatus({
      group: GROUP,
      version: 'v1',
      namespace,
      plural: PLURAL,
      name,
      body: { ...pf, status },
    });
  }

  const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  const forwardsFor = (namespace: string | undefined, match: (pf: PortForward) => boolean) => {
    for (const pf of forwards.list()) if (pf.metadata?.namespace === namespace && match(pf)) enqueue(keyOf(pf));
  };
  const onForward = (pf: PortForward) => enqueue(keyOf(pf));
  const onEndpoint = (ep: ApphostObject) =>
    forwardsFor(ep.metadata?.namespace, (pf) => `${pf.spec.resource}-${pf.spec.endpoint ?? 'http'}` === ep.metadata?.name);
  const onProxy = (px: ApphostObject) =>
    forwardsFor(px.metadata?.namespace, (pf) => `pf-${pf.metadata?.name}` === px.metadata?.name);

  forwards.on('add', onForward);
  forwards.on('update', onForward);
  for (const [informer, handler] of [
    [endpoints, onEndpoint],
    [proxies, onProxy],
  ] as const) {
    informer.on('add', handler);
    informer.on('update', handler);
    informer.on('delete', handler);
  }
  for (const informer of [forwards, endpoints, proxies]) {
    // Informers stop on a network error: start again after a pause, as controllers do.
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 1000).unref());
  }
  await Promise.all([endpoints.start(), proxies.start()]);
  await forwards.start();

  return {
    async stop() {
      await Promise.all([forwards.stop(), endpoints.stop(), proxies.stop()]);
      await running;
    },
  };
}

const isMain = process.argv[1]?.endsWith('port-forward/controller.ts');
if (isMain) {
  const flag = process.argv.indexOf('--kubeconfig');
  const kubeconfig = flag > 0 ? process.argv[flag + 1] : '.apphost/kubeconfig';
  const controller = await startPortForwardController(kubeconfig).catch((err: unknown) => {
    console.error(`error: cannot start the port-forward controller: ${errorText(err)}`);
    process.exit(1);
  });
  console.log(`port-forward controller watching PortForwards through ${kubeconfig}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void controller.stop().then(() => process.exit(0)));
  }
}
