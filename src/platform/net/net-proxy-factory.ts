// The real ProxyFactory: in-process TCP and UDP proxies on real sockets.
import net from 'node:net';
import { ProxyError } from './errors.ts';
import { handleEngineAvailable, startHandleTcpProxy } from './tcp-handle-proxy.ts';
import { startStreamTcpProxy } from './tcp-stream-proxy.ts';
import type { ProxyEngine, ProxyFactory, ProxyOptions, RunningProxy } from './types.ts';
import { startUdpProxy } from './udp-proxy.ts';
import { validateOptions } from './validate.ts';

export interface NetProxyFactoryOptions {
  /** Default TCP engine for proxies that do not name one. Default: APPHOST_PROXY_ENGINE, else `auto`. */
  engine?: ProxyEngine;
}

export function createNetProxyFactory(factoryOptions: NetProxyFactoryOptions = {}): ProxyFactory {
  return {
    async start(options: ProxyOptions): Promise<RunningProxy> {
      validateOptions(options);
      if (options.protocol === 'UDP') return startUdpProxy(options);
      const wanted = options.engine ?? factoryOptions.engine ?? envEngine() ?? 'auto';
      const address = options.listen.address;
      const handlesFit = address === 'localhost' || net.isIP(address) !== 0;
      if (wanted === 'handles') {
        if (!handleEngineAvailable()) {
          throw new ProxyError('InvalidOptions', 'engine handles is not available on this Node version; use streams');
        }
        if (!handlesFit) throw new ProxyError('InvalidOptions', `engine handles needs an IP address or localhost, got ${address}`);
        return startHandleTcpProxy(options);
      }
      if (wanted === 'auto' && handlesFit && handleEngineAvailable()) return startHandleTcpProxy(options);
      return startStreamTcpProxy(options);
    },
  };
}

function envEngine(): ProxyEngine | undefined {
  const value = process.env.APPHOST_PROXY_ENGINE;
  return value === 'auto' || value === 'handles' || value === 'streams' ? value : undefined;
}
