// Public surface of the proxy data plane (DESIGN.md section 3): a ProxyFactory with a real
// implementation on sockets and an in-memory fake side by side.
export type {
  HoldOptions,
  ProxyBackend,
  ProxyEngine,
  ProxyFactory,
  ProxyOptions,
  ProxyPolicy,
  ProxyProtocol,
  ProxyStats,
  RunningProxy,
  WhenNoBackend,
} from './types.ts';
export { ProxyError, isProxyError } from './errors.ts';
export type { ProxyErrorCode } from './errors.ts';
export { createNetProxyFactory, defaultProxyWorkers } from './net-proxy-factory.ts';
export type { NetProxyFactoryOptions } from './net-proxy-factory.ts';
export { createFakeProxyFactory } from './fake-proxy-factory.ts';
export type { FakeConnection, FakeProxy, FakeProxyFactory } from './fake-proxy-factory.ts';
export { createProxyMetrics, type ProxyMetrics } from './proxy-metrics.ts';
