// Public surface of the ports adapter: interface, real allocator, simulator, port-holder lookup.
export type { PortAllocator, PortAllocatorOptions, PortHolder, PortRange } from './types.ts';
export { PortError, isPortError } from './errors.ts';
export type { PortErrorCode } from './errors.ts';
export { createPortAllocator } from './port-allocator.ts';
export { createFakePortAllocator } from './fake-port-allocator.ts';
export type { FakePortAllocator, FakePortAllocatorOptions } from './fake-port-allocator.ts';
export { findPortHolder } from './find-port-holder.ts';
export {
  DEFAULT_PROXYLESS_RANGE,
  PROXYLESS_RANGE_ENV,
  isValidPort,
  parsePortRange,
  proxylessRangeFromEnv,
} from './port-range.ts';
export { hasIpv6Loopback } from './bind-probe.ts';
