// A fast path for the kubeconfig apphost writes itself (server, CA data, bearer token): read it with
// `yaml` instead of loading @kubernetes/client-node's KubeConfig, which costs ~0.5 s of CPU per CLI
// call. Anything else (exec or auth-provider plugins, client certificates, files) -> undefined, and
// the caller uses client-node.
import { parse } from 'yaml';

export interface SimpleKubeconfig {
  server: string;
  ca?: Buffer;
  token?: string;
  namespace: string;
  insecure: boolean;
}

type Named<T> = { name: string } & T;

export function readSimpleKubeconfig(text: string): SimpleKubeconfig | undefined {
  let doc: {
    'current-context'?: string;
    contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>[];
    clusters?: Named<{ cluster?: Record<string, unknown> }>[];
    users?: Named<{ user?: Record<string, unknown> }>[];
  };
  try {
    doc = parse(text) as typeof doc;
  } catch {
    return undefined;
  }
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc?.users?.find((u) => u.name === ctx?.user)?.user ?? {};
  if (!ctx || !cluster || typeof cluster.server !== 'string') return undefined;
  const allowedUser = new Set(['token']);
  const allowedCluster = new Set(['server', 'certificate-authority-data', 'insecure-skip-tls-verify']);
  if (Object.keys(user).some((k) => !allowedUser.has(k)) || Object.keys(cluster).some((k) => !allowedCluster.has(k))) return undefined;
  if (process.env.HTTPS_PROXY || process.env.https_proxy) return undefined;
  const caData = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    ...(typeof caData === 'string' ? { ca: Buffer.from(caData, 'base64') } : {}),
    ...(typeof user.token === 'string' ? { token: user.token } : {}),
    namespace: ctx.namespace || 'default',
    insecure: cluster['insecure-skip-tls-verify'] === true,
  };
}
