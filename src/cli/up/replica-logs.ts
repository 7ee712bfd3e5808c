// Follows the logs of every replica (present and future) through the API: what `up` shows below
// its status view.
import type { Replica } from '../../api/types.ts';
import type { ApiClient } from '../api-client.ts';

export interface FollowAllOptions {
  client: ApiClient;
  namespace: string;
  signal: AbortSignal;
  onLine(replica: string, line: string): void;
  /** Only replicas of this resource. */
  resource?: string;
}

export async function followAllReplicaLogs(o: FollowAllOptions): Promise<void> {
  const following = new Map<string, AbortController>();
  const seen = new Set<string>();
  const start = (name: string) => {
    if (following.has(name)) return;
    // A name followed before (stream ended, or replica re-created): only new lines, no replay.
    const query = seen.has(name) ? { follow: true, tailLines: 0 } : { follow: true };
    seen.add(name);
    const ac = new AbortController();
    o.signal.addEventListener('abort', () => ac.abort(), { once: true });
    following.set(name, ac);
    void o.client
      .stream(
        { path: `/apis/apphost.dev/v1/namespaces/${o.namespace}/replicas/${encodeURIComponent(name)}/log`, query, accept: 'text/plain', signal: ac.signal },
        (line) => o.onLine(name, line),
      )
      .catch(() => undefined)
      .finally(() => {
        if (following.get(name) === ac) following.delete(name);
      });
  };
  while (!o.signal.aborted) {
    await o.client
      .stream({ path: `/apis/apphost.dev/v1/namespaces/${o.namespace}/replicas`, query: { watch: 1 }, signal: o.signal }, (line) => {
        if (!line.trim()) return;
        const ev = JSON.parse(line) as { type: string; object: Replica };
        const r = ev.object;
        if (!r?.metadata?.name || (o.resource && r.spec?.resource !== o.resource)) return;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') start(r.metadata.name);
        if (ev.type === 'DELETED') {
          following.get(r.metadata.name)?.abort();
          following.delete(r.metadata.name);
        }
      })
      .catch(() => undefined);
    if (!o.signal.aborted) await new Promise((r) => setTimeout(r, 500));
  }
  for (const ac of following.values()) ac.abort();
}
