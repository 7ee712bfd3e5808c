// Binding a throwaway listener to learn whether a port is free (or to let the OS pick one).
import { createServer } from 'node:net';

export type BindOutcome =
  | { kind: 'bound'; port: number }
  | { kind: 'in-use' }
  /** The address does not exist on this machine (e.g. no IPv6 loopback). */
  | { kind: 'no-address' }
  | { kind: 'error'; code: string };

/** Listens on host:port (0 = any), notes the port, closes again. Never throws. */
export function tryBind(host: string, port: number): Promise<BindOutcome> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      server.close();
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve({ kind: 'in-use' });
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT') resolve({ kind: 'no-address' });
      else resolve({ kind: 'error', code: err.code ?? 'UNKNOWN' });
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve({ kind: 'bound', port: bound }));
    });
  });
}

let ipv6Loopback: Promise<boolean> | undefined;

/** Whether ::1 can be bound on this machine (cached). */
export function hasIpv6Loopback(): Promise<boolean> {
  ipv6Loopback ??= tryBind('::1', 0).then((o) => o.kind === 'bound');
  return ipv6Loopback;
}
