// The URL a container uses for a reference (DESIGN.md section 1): another container by its alias
// and container port on the shared network; a host process through the container tunnel.
import { HOST_TUNNEL_NAME } from './desired.ts';

export type ReferenceTarget =
  /** The referenced resource is a container on the same network. */
  | { kind: 'container'; alias: string; targetPort: number }
  /** The referenced resource is a host process reachable on the host at `port` (its proxy or proxyless port). */
  | { kind: 'host'; port: number };

/** `http://cache:6379` or `http://host.apphost.internal:5066`. Scheme defaults to `http`. */
export function containerReferenceUrl(options: { scheme?: string; target: ReferenceTarget }): string {
  const scheme = options.scheme ?? 'http';
  const t = options.target;
  return t.kind === 'container' ? `${scheme}://${t.alias}:${t.targetPort}` : `${scheme}://${HOST_TUNNEL_NAME}:${t.port}`;
}

/** `host:port` part only (the `hostAndPort` property). */
export function containerReferenceHostAndPort(target: ReferenceTarget): string {
  return target.kind === 'container' ? `${target.alias}:${target.targetPort}` : `${HOST_TUNNEL_NAME}:${target.port}`;
}
