import { describe, expect, it } from 'vitest';
import { DiscoveryError } from './errors.ts';
import { parseServiceUri, resolveServiceUrl, resolveServiceUrls } from './resolve-service-url.ts';

const env = {
  services__apiservice__admin__0: 'http://localhost:17003',
  services__apiservice__http__0: 'http://localhost:5001',
  services__api__http__0: 'http://localhost:5066',
  services__api__https__0: 'https://localhost:7066',
  services__web__http__0: 'http://localhost:6000',
  services__web__http__1: 'http://localhost:6001',
  'services:cfg:http:0': 'http://localhost:7000',
  services__cache__tcp__0: 'tcp://localhost:6379',
  UNRELATED: 'x',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DiscoveryError ? err.code : 'other';
  }
  return undefined;
}

describe('resolveServiceUrl', () => {
  it('resolves a named endpoint: http://_admin.apiservice', () => {
    expect(resolveServiceUrl('http://_admin.apiservice', env)).toBe('http://localhost:17003');
  });

  it('keeps path and query', () => {
    expect(resolveServiceUrl('http://_admin.apiservice/health?x=1', env)).toBe('http://localhost:17003/health?x=1');
  });

  it('uses the endpoint named after the scheme when no endpoint is named', () => {
    expect(resolveServiceUrl('http://api', env)).toBe('http://localhost:5066');
    expect(resolveServiceUrl('https://api', env)).toBe('https://localhost:7066');
  });

  it('https+http prefers https and falls back to http', () => {
    expect(resolveServiceUrl('https+http://api', env)).toBe('https://localhost:7066');
    expect(resolveServiceUrl('https+http://web', env)).toBe('http://localhost:6000');
    expect(resolveServiceUrl('http+https://api', env)).toBe('http://localhost:5066');
  });

  it('returns every replica index in order', () => {
    expect(resolveServiceUrls('http://web', env)).toEqual(['http://localhost:6000', 'http://localhost:6001']);
  });

  it('accepts the colon form and matches names case-insensitively', () => {
    expect(resolveServiceUrl('http://cfg', env)).toBe('http://localhost:7000');
    expect(resolveServiceUrl('HTTP://API', env)).toBe('http://localhost:5066');
  });

  it('finds an endpoint with another name by its URL scheme', () => {
    expect(resolveServiceUrl('tcp://cache', env)).toBe('tcp://localhost:6379');
    expect(resolveServiceUrl('http://apiservice', env)).toBe('http://localhost:5001');
  });

  it('a named endpoint must match one of the schemes', () => {
    expect(codeOf(() => resolveServiceUrl('https://_admin.apiservice', env))).toBe('DISCOVERY_NOT_FOUND');
  });

  it('fails clearly when nothing matches', () => {
    expect(codeOf(() => resolveServiceUrl('http://nothere', env))).toBe('DISCOVERY_NOT_FOUND');
    expect(() => resolveServiceUrl('http://nothere', env)).toThrow(/services__nothere__<endpoint>__0/);
    expect(() => resolveServiceUrl('https://web', env)).toThrow(/known: http=http:\/\/localhost:6000/);
  });

  it('rejects what is not a service URI', () => {
    expect(codeOf(() => resolveServiceUrl('api', env))).toBe('DISCOVERY_INVALID_URI');
    expect(codeOf(() => resolveServiceUrl('http://_.api', env))).toBe('DISCOVERY_INVALID_URI');
    expect(codeOf(() => resolveServiceUrl('http://_admin.', env))).toBe('DISCOVERY_INVALID_URI');
  });

  it('reads process.env by default', () => {
    process.env.services__defenv__http__0 = 'http://localhost:1234';
    try {
      expect(resolveServiceUrl('http://defenv')).toBe('http://localhost:1234');
    } finally {
      delete process.env.services__defenv__http__0;
    }
  });

  it('parses endpoint-qualified hosts', () => {
    expect(parseServiceUri('https+http://_grpc.my-svc/x')).toEqual({
      schemes: ['https', 'http'],
      service: 'my-svc',
      endpoint: 'grpc',
      rest: '/x',
    });
  });
});
