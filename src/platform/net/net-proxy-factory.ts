// The real ProxyFactory: in-process TCP and UDP proxies on real sockets.
import { startTcpProxy } from './tcp-proxy.ts';
import type { ProxyFactory, ProxyOptions, RunningProxy } from './types.ts';
import { startUdpProxy } from './udp-proxy.ts';
import { validateOptions } from './validate.ts';

export function createNetProxyFactory(): ProxyFactory {
  return {
    async start(options: ProxyOptions): Promise<RunningProxy> {
      validateOptions(options);
      return options.protocol === 'UDP' ? startUdpProxy(options) : startTcpProxy(options);
    },
  };
}
