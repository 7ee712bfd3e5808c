// Endpoint addresses as clients see them.

/** The host clients use for a proxied or proxyless endpoint on this machine. */
export const LOCAL_HOST = 'localhost';
/** Where proxies forward to a replica's port on this machine (matches the health probes). */
export const TARGET_ADDRESS = '127.0.0.1';
/** How a container reaches a process on the host (apphost's tunnel). */
export const HOST_TUNNEL = 'host.apphost.internal';

/** `http://localhost:5066`. IPv6 literal hosts are bracketed. */
export function endpointUrl(scheme: string, host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}://${h}:${port}`;
}
