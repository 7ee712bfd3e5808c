// Writes a kubeconfig (mode 0600) that points kubectl and client-node at a running server.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import YAML from 'yaml';
import type { ApiServer } from './types.ts';

export interface KubeconfigOptions {
  /** Context, cluster and user name (default `apphost`). */
  name?: string;
  /** Default namespace of the context (default `default`). */
  namespace?: string;
}

export function kubeconfigYaml(server: Pick<ApiServer, 'url' | 'token' | 'caPem'>, options: KubeconfigOptions = {}): string {
  const name = options.name ?? 'apphost';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: server.url, 'certificate-authority-data': Buffer.from(server.caPem).toString('base64') } }],
    users: [{ name, user: { token: server.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, server: Pick<ApiServer, 'url' | 'token' | 'caPem'>, options: KubeconfigOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, kubeconfigYaml(server, options), { mode: 0o600 });
  // writeFile's mode applies only to new files; an existing kubeconfig keeps its old mode otherwise.
  await chmod(path, 0o600);
}
