// The local development CA, once per user, and the certificate it signs for localhost, 127.0.0.1,
// ::1 and host.apphost.internal. Kept in `~/.apphost/dev-certs` (APPHOST_HOME overrides `~/.apphost`),
// a 0700 folder; keys 0600. Made with @peculiar/x509, ECDSA P-256, loaded only when something is
// made or checked (an https endpoint): loading it costs a process ~10 MiB of RSS and ~100 ms.
//   ca.pem            the CA certificate (what clients trust: NODE_EXTRA_CA_CERTS, `certs trust`)
//   ca-key.pem        the CA key
//   localhost.pem     the server certificate (APPHOST_TLS_CERT), localhost-key.pem its key
//   ca-bundle.pem     the system's CA bundle plus ca.pem (SSL_CERT_FILE: curl, Python, Go keep
//                     trusting public CAs)
// The server certificate is renewed when it expires within 14 days, lacks a name, or is not signed
// by the CA; the CA lasts 5 years. Concurrent apphosts serialise on a lock folder.
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';
import { TlsError } from './errors.ts';

export const DEV_CERT_NAMES = { dns: ['localhost', 'host.apphost.internal'], ip: ['127.0.0.1', '::1'] } as const;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const crypto = webcrypto as unknown as Crypto;
const DAY = 86_400_000;

let x509!: typeof X509;
async function loadX509(): Promise<void> {
  if (x509) return;
  await import('reflect-metadata'); // @peculiar/x509 (tsyringe) needs a Reflect metadata polyfill before it loads.
  x509 = await import('@peculiar/x509');
}
/** Where a container finds the development certificates (bind-mounted read-only). */
export const CONTAINER_DEV_CERTS_DIR = '/run/apphost/dev-certs';
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export interface DevCertificatePaths {
  dir: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  bundle: string;
}

/** `$APPHOST_HOME/dev-certs`, else `~/.apphost/dev-certs`. */
export function devCertsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.APPHOST_HOME || join(homedir(), '.apphost'), 'dev-certs');
}

export function devCertificatePaths(dir: string): DevCertificatePaths {
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'localhost.pem'),
    key: join(dir, 'localhost-key.pem'),
    bundle: join(dir, 'ca-bundle.pem'),
  };
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

function derOf(text: string): ArrayBuffer {
  const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function writeAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

async function createCa(p: DevCertificatePaths, now: Date): Promise<{ cert: X509.X509Certificate; key: CryptoKey }> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: 'CN=apphost development CA, O=apphost',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 5 * 365 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  writeAtomic(p.caKey, pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600);
  writeAtomic(p.caCert, cert.toString('pem') + '\n', 0o644);
  return { cert, key: keys.privateKey };
}

async function loadCa(p: DevCertificatePaths, now: Date): Promise<{ cert: X509.X509Certificate; key: CryptoKey; created: boolean }> {
  if (existsSync(p.caCert) && existsSync(p.caKey)) {
    try {
      const cert = new x509.X509Certificate(readFileSync(p.caCert, 'utf8'));
      const key = await crypto.subtle.importKey('pkcs8', derOf(readFileSync(p.caKey, 'utf8')), ALG, false, ['sign']);
      if (cert.notAfter.getTime() - now.getTime() > 30 * DAY) return { cert, key, created: false };
    } catch (err) {
      throw new TlsError('DEV_CERTS_UNREADABLE', `the development CA in ${p.dir} cannot be read (${(err as Error).message}); run \`apphostctl certs clean\` to start over`, { cause: err });
    }
  }
  return { ...(await createCa(p, now)), created: true };
}

async function leafIsGood(p: DevCertificatePaths, ca: X509.X509Certificate, now: Date): Promise<boolean> {
  if (!existsSync(p.cert) || !existsSync(p.key)) return false;
  try {
    const leaf = new x509.X509Certificate(readFileSync(p.cert, 'utf8'));
    if (leaf.notAfter.getTime() - now.getTime() < 14 * DAY) return false;
    if (!(await leaf.verify({ publicKey: ca.publicKey, signatureOnly: true }, crypto))) return false;
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    const names = new Set((san?.names.items ?? []).map((n) => `${n.type}:${n.value}`));
    return [...DEV_CERT_NAMES.dns.map((d) => `dns:${d}`), ...DEV_CERT_NAMES.ip.map((i) => `ip:${i}`)].every((n) => names.has(n));
  } catch {
    return false;
  }
}

async function issueLeaf(p: DevCertificatePaths, ca: { cert: X509.X509Certificate; key: CryptoKey }, now: Date): Promise<void> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial(),
      subject: 'CN=localhost, O=apphost development',
      issuer: ca.cert.subject,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: ca.key,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [...DEV_CERT_NAMES.dns.map((value) => ({ type: 'dns' as const, value })), ...DEV_CERT_NAMES.ip.map((value) => ({ type: 'ip' as const, value }))],
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false, crypto),
      ],
    },
    crypto,
  );
  writeAtomic(p.key, pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600);
  writeAtomic(p.cert, cert.toString('pem') + '\n', 0o644);
}

function writeBundle(p: DevCertificatePaths): void {
  const system = SYSTEM_BUNDLES.find((f) => existsSync(f));
  const ca = readFileSync(p.caCert, 'utf8');
  writeAtomic(p.bundle, `${system ? readFileSync(system, 'utf8').trimEnd() + '\n' : ''}${ca}`, 0o644);
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than 30 s belongs to an apphost that died while holding it.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new TlsError('DEV_CERTS_LOCKED', `${lock} is held by another apphost; remove it if none is running`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface EnsureResult extends DevCertificatePaths {
  /** What this call made: nothing, a new server certificate, or a new CA (and certificate). */
  created: 'none' | 'certificate' | 'ca';
}

/** Creates what is missing or due (CA, server certificate, bundle) and returns the paths. */
export async function ensureDevCertificates(options: { dir?: string; now?: () => Date } = {}): Promise<EnsureResult> {
  const dir = options.dir ?? devCertsDir();
  const p = devCertificatePaths(dir);
  const now = (options.now ?? (() => new Date()))();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (err) {
    throw new TlsError('DEV_CERTS_WRITE_FAILED', `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
  }
  await loadX509();
  return withLock(dir, async () => {
    const ca = await loadCa(p, now);
    let created: EnsureResult['created'] = ca.created ? 'ca' : 'none';
    if (ca.created || !(await leafIsGood(p, ca.cert, now))) {
      await issueLeaf(p, ca, now);
      if (created === 'none') created = 'certificate';
    }
    if (created !== 'none' || !existsSync(p.bundle)) writeBundle(p);
    return { ...p, created };
  });
}

/** Removes the development CA and certificates. True when there was something to remove. */
export function cleanDevCertificates(dir: string = devCertsDir()): boolean {
  if (!existsSync(dir)) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}

/**
 * One provider per apphost: ensures the certificates the first time something needs them (an
 * https endpoint) and hands out the paths after that.
 */
export interface DevCertificates {
  ensure(): Promise<DevCertificatePaths>;
  /** The paths once ensure() has succeeded, else undefined. */
  current(): DevCertificatePaths | undefined;
}

export function createDevCertificates(options: { dir?: string } = {}): DevCertificates {
  let ready: DevCertificatePaths | undefined;
  let pending: Promise<DevCertificatePaths> | undefined;
  return {
    ensure() {
      if (ready) return Promise.resolve(ready);
      pending ??= ensureDevCertificates(options.dir ? { dir: options.dir } : {}).then(
        (r) => (ready = devCertificatePaths(r.dir)),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    current: () => ready,
  };
}
