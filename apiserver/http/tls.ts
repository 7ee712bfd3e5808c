// Per-run TLS material: a self-signed ECDSA P-256 CA and a server certificate it signs, valid for
// IP:127.0.0.1, IP:::1 and DNS:localhost. Nothing is written to disk; the CA goes into the kubeconfig.
// The certificates are built by certificate.ts with node:crypto (no X.509 library at start-up).
import { generateKeyPairSync } from 'node:crypto';
import { createCertificate, KEY_USAGE, pem } from './certificate.ts';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

export async function generateTls(options: { commonName?: string; validDays?: number } = {}): Promise<TlsMaterial> {
  const cn = options.commonName ?? 'apphost';
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + (options.validDays ?? 30) * 86_400_000);

  const caKeys = p256();
  const ca = createCertificate({
    subjectCn: `${cn}-ca`,
    issuerCn: `${cn}-ca`,
    notBefore,
    notAfter,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    ca: true,
    keyUsage: [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign],
  });

  const keys = p256();
  const cert = createCertificate({
    subjectCn: cn,
    issuerCn: `${cn}-ca`,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    issuerPublicKey: caKeys.publicKey,
    ca: false,
    keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment],
    serverAuth: true,
    ips: ['127.0.0.1', '::1'],
    dns: ['localhost'],
  });

  return {
    caPem: pem('CERTIFICATE', ca),
    certPem: pem('CERTIFICATE', cert),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
