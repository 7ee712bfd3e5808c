// generateTls: an ECDSA P-256 CA and a server certificate it signed, for 127.0.0.1, ::1 and localhost.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateTls } from './tls.ts';

describe('generateTls', () => {
  it('issues a server certificate for 127.0.0.1, ::1 and localhost, signed by a fresh CA', async () => {
    const t0 = Date.now();
    const tls = await generateTls();
    expect(Date.now() - t0).toBeLessThan(2000);
    const ca = new X509Certificate(tls.caPem);
    const cert = new X509Certificate(tls.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBeTruthy();
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    expect(cert.checkPrivateKey(createPrivateKey(tls.keyPem))).toBe(true);
  });

  it('makes a different CA every run', async () => {
    const [a, b] = await Promise.all([generateTls(), generateTls()]);
    expect(a.caPem).not.toBe(b.caPem);
    expect(a.keyPem).not.toBe(b.keyPem);
  });
});
