// Container tunnel: for every host-process endpoint, a proxy listening on the network's gateway
// address at the endpoint's host port, forwarding to 127.0.0.1 on the same port. A container then
// reaches the process at host.apphost.internal:<port> (an /etc/hosts entry for the gateway).
import net from 'node:net';
import type { Logger } from 'pino';
import { isProxyError, type ProxyFactory, type RunningProxy } from '../../src/platform/net/index.ts';

export interface TunnelSpec {
  /** Endpoint object name. */
  name: string;
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

interface Tunnel {
  spec: TunnelSpec;
  proxy?: RunningProxy;
  /** The process itself listens on the gateway address (bound to 0.0.0.0): no tunnel needed. */
  direct?: boolean;
  error?: string;
}

/** Whether something accepts TCP connections at address:port (within 500 ms). */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 500 });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

export interface TunnelSet {
  /** Make the running tunnels match `specs`. Returns the failures (name -> message). */
  sync(specs: TunnelSpec[]): Promise<Map<string, string>>;
  /** Live tunnels: endpoint name -> `address:port`. */
  list(): Map<string, string>;
  close(): Promise<void>;
}

export function createTunnelSet(options: { factory: ProxyFactory; logger?: Logger }): TunnelSet {
  const tunnels = new Map<string, Tunnel>();
  const same = (a: TunnelSpec, b: TunnelSpec) => a.address === b.address && a.port === b.port && a.protocol === b.protocol;

  return {
    async sync(specs) {
      const wanted = new Map(specs.map((s) => [s.name, s]));
      for (const [name, t] of tunnels) {
        const w = wanted.get(name);
        if (!w || !same(w, t.spec)) {
          await t.proxy?.close();
          tunnels.delete(name);
        }
      }
      const failures = new Map<string, string>();
      for (const spec of specs) {
        let t = tunnels.get(spec.name);
        if (t?.proxy || t?.direct) continue;
        t = { spec };
        try {
          t.proxy = await options.factory.start({
            listen: { address: spec.address, port: spec.port },
            protocol: spec.protocol,
            backends: [{ name: spec.name, address: '127.0.0.1', port: spec.port, ready: true }],
            ...(options.logger ? { logger: options.logger } : {}),
          });
          options.logger?.debug({ endpoint: spec.name, address: spec.address, port: spec.port }, 'container tunnel listening');
        } catch (err) {
          if (isProxyError(err) && err.code === 'PortInUse' && spec.protocol === 'TCP' && (await accepts(spec.address, spec.port))) {
            t.direct = true;
            options.logger?.debug({ endpoint: spec.name, port: spec.port }, 'endpoint already reachable on the gateway address');
          } else {
            t.error = `tunnel ${spec.address}:${spec.port} for ${spec.name}: ${(err as Error).message}`;
            failures.set(spec.name, t.error);
          }
        }
        tunnels.set(spec.name, t);
      }
      return failures;
    },
    list() {
      return new Map([...tunnels].filter(([, t]) => t.proxy || t.direct).map(([n, t]) => [n, `${t.spec.address}:${t.spec.port}`]));
    },
    async close() {
      await Promise.all([...tunnels.values()].map((t) => t.proxy?.close()));
      tunnels.clear();
    },
  };
}
