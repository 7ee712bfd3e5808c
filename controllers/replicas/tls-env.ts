// What a replica gets of apphost's development certificates (src/platform/tls): a resource serving
// https itself (an https endpoint without tlsTermination: proxy) gets the certificate and key; it and
// every resource referencing one with an https endpoint get the trust settings, so clients it starts
// trust the CA. Containers see the same files under CONTAINER_DEV_CERTS_DIR (bind-mounted read-only
// by the containers controller).
import type { Resource } from '../../src/api/types.ts';
import type { DevCertificatePaths } from '../../src/platform/tls/index.ts';
import { CONTAINER_DEV_CERTS_DIR, devCertificatePaths } from '../../src/platform/tls/index.ts';
import type { ResourceType } from '../shared/resource-info.ts';

export type TlsNeeds = 'none' | 'trust' | 'server';

const isHttps = (scheme: string | undefined) => scheme?.toLowerCase() === 'https';

export function tlsNeeds(consumer: Resource, resources: ReadonlyMap<string, Resource>): TlsNeeds {
  const own = consumer.spec.endpoints ?? [];
  if (own.some((e) => isHttps(e.scheme) && e.tlsTermination !== 'proxy')) return 'server';
  if (own.some((e) => isHttps(e.scheme))) return 'trust';
  for (const ref of consumer.spec.references ?? []) {
    if ((resources.get(ref.resource)?.spec.endpoints ?? []).some((e) => isHttps(e.scheme))) return 'trust';
  }
  return 'none';
}

export function tlsEnv(host: DevCertificatePaths, needs: Exclude<TlsNeeds, 'none'>, consumerType: ResourceType, project: boolean): { name: string; value: string }[] {
  const p = consumerType === 'container' ? devCertificatePaths(CONTAINER_DEV_CERTS_DIR) : host;
  const out = [
    { name: 'SSL_CERT_FILE', value: p.bundle },
    { name: 'NODE_EXTRA_CA_CERTS', value: p.caCert },
  ];
  if (needs === 'server') {
    out.push({ name: 'APPHOST_TLS_CERT', value: p.cert }, { name: 'APPHOST_TLS_KEY', value: p.key });
    if (project) {
      out.push(
        { name: 'ASPNETCORE_Kestrel__Certificates__Default__Path', value: p.cert },
        { name: 'ASPNETCORE_Kestrel__Certificates__Default__KeyPath', value: p.key },
      );
    }
  }
  return out;
}
