import { describe, expect, it } from 'vitest';
import {
  endpointObjectName,
  envVariableName,
  normalizeEndpoint,
  normalizeEndpoints,
  serviceVariableName,
} from './endpoints.ts';
import type { EndpointSpec } from './types.ts';

describe('normalizeEndpoint', () => {
  it('defaults an empty endpoint to tcp, proxied', () => {
    expect(normalizeEndpoint({})).toEqual({
      name: 'tcp',
      scheme: 'tcp',
      protocol: 'TCP',
      transport: 'tcp',
      isProxied: true,
      isExternal: false,
      excludeFromReferences: false,
    });
  });
  it('name = scheme, transport http for http and https', () => {
    expect(normalizeEndpoint({ scheme: 'http' })).toMatchObject({ name: 'http', transport: 'http', protocol: 'TCP' });
    expect(normalizeEndpoint({ scheme: 'https', name: 'secure' })).toMatchObject({ name: 'secure', transport: 'http' });
    expect(normalizeEndpoint({ scheme: 'redis' })).toMatchObject({ name: 'redis', transport: 'tcp' });
  });
  it('UDP: scheme and transport udp', () => {
    expect(normalizeEndpoint({ protocol: 'UDP' })).toMatchObject({ name: 'udp', scheme: 'udp', transport: 'udp' });
  });
  it('keeps explicit values', () => {
    const ep: EndpointSpec = { name: 'grpc', scheme: 'https', transport: 'http2', port: 5001, targetPort: 6001, env: 'PORT' };
    expect(normalizeEndpoint(ep)).toMatchObject(ep);
  });
  it('persistent resources default to proxyless; explicit isProxied wins', () => {
    expect(normalizeEndpoint({ scheme: 'http' }, { lifetime: 'Persistent' }).isProxied).toBe(false);
    expect(normalizeEndpoint({ scheme: 'http', isProxied: true }, { lifetime: 'Persistent' }).isProxied).toBe(true);
    expect(normalizeEndpoint({ scheme: 'http' }, { lifetime: 'Session' }).isProxied).toBe(true);
  });
  it('proxyless: one of port/targetPort gives the other', () => {
    expect(normalizeEndpoint({ isProxied: false, port: 7000 })).toMatchObject({ port: 7000, targetPort: 7000 });
    expect(normalizeEndpoint({ isProxied: false, targetPort: 7001 })).toMatchObject({ port: 7001, targetPort: 7001 });
    const proxied = normalizeEndpoint({ port: 7000 });
    expect(proxied.port).toBe(7000);
    expect(proxied.targetPort).toBeUndefined();
  });
  it('does not modify its input', () => {
    const ep: EndpointSpec = Object.freeze({ isProxied: false, port: 1 });
    normalizeEndpoint(ep);
    expect(ep).toEqual({ isProxied: false, port: 1 });
  });
  it('normalizeEndpoints uses the resource lifetime', () => {
    const eps = normalizeEndpoints({ lifetime: 'Persistent', endpoints: [{ scheme: 'http' }, { name: 'admin', isProxied: true }] });
    expect(eps.map((e) => [e.name, e.isProxied])).toEqual([['http', false], ['admin', true]]);
    expect(normalizeEndpoints({})).toEqual([]);
  });
});

describe('variable and object names', () => {
  it('serviceVariableName', () => {
    expect(serviceVariableName('api', 'http')).toBe('services__api__http__0');
    expect(serviceVariableName('my-api', 'admin')).toBe('services__my-api__admin__0');
  });
  it('envVariableName', () => {
    expect(envVariableName('my-api', 'http')).toBe('MY_API_HTTP');
    expect(envVariableName('api.v2', 'grpc-web')).toBe('API_V2_GRPC_WEB');
    expect(envVariableName('1api', 'http')).toBe('_1API_HTTP');
    expect(envVariableName('cache', 'tcp')).toBe('CACHE_TCP');
  });
  it('endpointObjectName is lower-case', () => {
    expect(endpointObjectName('api', 'HTTP')).toBe('api-http');
  });
});

describe('normalizeEndpoint extra fields', () => {
  it('carries fields it does not know (an Endpoint object spec) through', () => {
    const spec = { resource: 'api', scheme: 'http' };
    expect(normalizeEndpoint(spec)).toMatchObject({ resource: 'api', name: 'http' });
  });
  it('omits port/targetPort/env when not given', () => {
    const out = normalizeEndpoint({ scheme: 'http' });
    expect('port' in out || 'targetPort' in out || 'env' in out).toBe(false);
  });
});
