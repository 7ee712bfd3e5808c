import { describe, expect, it } from 'vitest';
import { API_VERSION, type Resource, type ResourceSpec } from '../../src/api/types.ts';
import { devCertificatePaths } from '../../src/platform/tls/index.ts';
import { tlsEnv, tlsNeeds } from './tls-env.ts';

const res = (name: string, spec: ResourceSpec): Resource => ({ apiVersion: API_VERSION, kind: 'Resource', metadata: { name }, spec });
const host = devCertificatePaths('/home/u/.apphost/dev-certs');

describe('development certificates in a replica env', () => {
  it('who needs what: serving https, proxy-terminated https, referencing an https resource, neither', () => {
    const api = res('api', { executable: { command: 'node' }, endpoints: [{ scheme: 'https' }] });
    const web = res('web', { executable: { command: 'node' }, endpoints: [{ scheme: 'https', tlsTermination: 'proxy' }] });
    const client = res('client', { executable: { command: 'node' }, references: [{ resource: 'api' }] });
    const plain = res('plain', { executable: { command: 'node' }, endpoints: [{ scheme: 'http' }] });
    const others = new Map([['api', api]]);
    expect(tlsNeeds(api, new Map())).toBe('server');
    expect(tlsNeeds(web, new Map())).toBe('trust');
    expect(tlsNeeds(client, others)).toBe('trust');
    expect(tlsNeeds(plain, others)).toBe('none');
  });

  it('a .NET project also gets Kestrel’s certificate variables; a container gets the mounted paths', () => {
    expect(Object.fromEntries(tlsEnv(host, 'server', 'executable', true).map((e) => [e.name, e.value]))).toEqual({
      SSL_CERT_FILE: host.bundle,
      NODE_EXTRA_CA_CERTS: host.caCert,
      APPHOST_TLS_CERT: host.cert,
      APPHOST_TLS_KEY: host.key,
      ASPNETCORE_Kestrel__Certificates__Default__Path: host.cert,
      ASPNETCORE_Kestrel__Certificates__Default__KeyPath: host.key,
    });
    expect(Object.fromEntries(tlsEnv(host, 'trust', 'container', false).map((e) => [e.name, e.value]))).toEqual({
      SSL_CERT_FILE: '/run/apphost/dev-certs/ca-bundle.pem',
      NODE_EXTRA_CA_CERTS: '/run/apphost/dev-certs/ca.pem',
    });
  });
});
