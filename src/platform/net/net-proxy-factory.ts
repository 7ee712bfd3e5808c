// The real ProxyFactory: in-process TCP and UDP proxies on real sockets.
import net from 'node:net';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { ProxyError } from './errors.ts';
import { handleEngineAvailable, startHandleTcpProxy } from './tcp-handle-proxy.ts';
import { startStreamTcpProxy } from './tcp-stream-proxy.ts';
import { ProxyWorkerPool } from './proxy-workers.ts';
import { SharedTcpProxy } from './shared-tcp-proxy.ts';
import type { ProxyEngine, ProxyFactory, ProxyOptions, RunningProxy } from './types.ts';
import { startUdpProxy } from './udp-proxy.ts';
import { validateOptions } from './validate.ts';

export interface NetProxyFactoryOptions {
  /** Default TCP engine for proxies that do not name one. Default: APPHOST_PROXY_ENGINE, else `auto`. */
  engine?: ProxyEngine;
  /**
   * Proxy worker processes that accept and forward next to this one (handles engine, TCP): more
   * cores for the data plane. Default 0; apphost passes defaultProxyWorkers().
   */
  workers?: number;
  logger?: Logger;
}

/** One worker per core beyond the first (at most 3), or APPHOST_PROXY_WORKERS. */
export function defaultProxyWorkers(): number {
  const fromEnv = process.env.APPHOST_PROXY_WORKERS;
  if (fromEnv !== undefined && fromEnv !== '' && Number.isInteger(Number(fromEnv))) return Math.max(0, Number(fromEnv));
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

export function createNetProxyFactory(factoryOptions: NetProxyFactoryOptions = {}): ProxyFactory {
  const workers = factoryOptions.workers ?? 0;
  let pool: ProxyWorkerPool | undefined;
  const handles = async (options: ProxyOptions): Promise<RunningProxy> => {
    const local = await startHandleTcpProxy(options);
    if (workers === 0) return local;
    pool ??= new ProxyWorkerPool(workers, factoryOptions.logger);
    const shared = new SharedTcpProxy(local, pool, options);
    await shared.started;
    return shared;
  };
  return {
    async close() {
      await pool?.dispose();
      pool = undefined;
    },
    async start(options: ProxyOptions): Promise<RunningProxy> {
      validateOptions(options);
      if (options.protocol === 'UDP') return startUdpProxy(options);
      // TLS is a stream transform: the handle engine forwards raw bytes.
      if (options.tls) return startStreamTcpProxy(options);
      const wanted = options.engine ?? factoryOptions.engine ?? envEngine() ?? 'auto';
      const address = options.listen.address;
      const handlesFit = address === 'localhost' || net.isIP(address) !== 0;
      if (wanted === 'handles') {
        if (!handleEngineAvailable()) {
          throw new ProxyError('InvalidOptions', 'engine handles is not available on this Node version; use streams');
        }
        if (!handlesFit) throw new ProxyError('InvalidOptions', `engine handles needs an IP address or localhost, got ${address}`);
        return handles(options);
      }
      if (wanted === 'auto' && handlesFit && handleEngineAvailable()) return handles(options);
      return startStreamTcpProxy(options);
    },
  };
}

function envEngine(): ProxyEngine | undefined {
  const value = process.env.APPHOST_PROXY_ENGINE;
  return value === 'auto' || value === 'handles' || value === 'streams' ? value : undefined;
}
