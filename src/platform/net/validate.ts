// Checks ProxyOptions before anything binds, so a bad spec becomes one clear InvalidOptions error.
import { isProxyPolicy } from './balancer.ts';
import { parseAllowedClients } from './client-filter.ts';
import { ProxyError } from './errors.ts';
import { validatePort } from './listen.ts';
import type { ProxyBackend, ProxyOptions } from './types.ts';

export function validateOptions(options: ProxyOptions): void {
  if (options === null || typeof options !== 'object') throw new ProxyError('InvalidOptions', 'proxy options are required');
  const listen = options.listen;
  if (!listen || typeof listen.address !== 'string' || listen.address === '') {
    throw new ProxyError('InvalidOptions', 'listen.address is required');
  }
  validatePort(listen.port);
  if (options.protocol !== 'TCP' && options.protocol !== 'UDP') {
    throw new ProxyError('InvalidOptions', `protocol must be TCP or UDP, got ${String(options.protocol)}`);
  }
  if (options.policy !== undefined) validatePolicy(options.policy);
  if (options.engine !== undefined && !['auto', 'handles', 'streams'].includes(options.engine)) {
    throw new ProxyError('InvalidOptions', `engine must be auto, handles or streams, got ${String(options.engine)}`);
  }
  if (options.whenNoBackend !== undefined) validateWhenNoBackend(options.whenNoBackend);
  if (options.allowedClients !== undefined) {
    if (!Array.isArray(options.allowedClients)) throw new ProxyError('InvalidOptions', 'allowedClients must be a list');
    parseAllowedClients(options.allowedClients);
  }
  validateBackends(options.backends);
}

export function validateBackends(backends: ProxyBackend[]): void {
  if (!Array.isArray(backends)) throw new ProxyError('InvalidOptions', 'backends must be a list');
  backends.forEach((b, i) => {
    if (!b || typeof b.address !== 'string' || b.address === '') {
      throw new ProxyError('InvalidOptions', `backends[${i}].address is required`);
    }
    if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) {
      throw new ProxyError('InvalidOptions', `backends[${i}].port must be an integer from 1 to 65535, got ${String(b.port)}`);
    }
  });
}

export function validatePolicy(policy: unknown): void {
  if (!isProxyPolicy(policy)) {
    throw new ProxyError('InvalidOptions', `policy must be RoundRobin, Random or LeastConnections, got ${String(policy)}`);
  }
}

export function validateWhenNoBackend(mode: unknown): void {
  if (mode !== 'Hold' && mode !== 'Reject') throw new ProxyError('InvalidOptions', `whenNoBackend must be Hold or Reject, got ${String(mode)}`);
}
