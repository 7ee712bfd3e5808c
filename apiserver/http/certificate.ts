// X.509 v3 certificates (RFC 5280) in DER, ECDSA P-256 with SHA-256, built with node:crypto alone:
// what the API server's per-run CA and server certificate need (tls.ts). @peculiar/x509 did this
// before; loading it cost every apphost process ~10 MiB of RSS and ~100 ms of start-up.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

// ------------------------------------------------------------------ DER

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
    head = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(head), content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER: minimal, with a 0x00 in front when the top bit is set. */
function uint(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = p >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** BIT STRING of whole bytes. */
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

/** A named-bit-list BIT STRING (key usage): bit 0 is the most significant; trailing zero bits dropped, as DER wants. */
function namedBits(flags: number[]): Buffer {
  const bytes = Buffer.alloc(Math.floor(Math.max(...flags) / 8) + 1);
  for (const f of flags) bytes[f >> 3]! |= 0x80 >> (f & 7);
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-12-04T19:30:00.000Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z'; // 20261204193000Z
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

// ------------------------------------------------------------------ certificates

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** Key usage bits (RFC 5280 4.2.1.3). */
export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export interface CertificateSpec {
  subjectCn: string;
  issuerCn: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject;
  /** The issuer's public key, for the authority key identifier; omitted on a self-signed CA. */
  issuerPublicKey?: KeyObject;
  ca: boolean;
  keyUsage: number[];
  serverAuth?: boolean;
  /** Subject alternative names: IPv4/IPv6 addresses and DNS names. */
  ips?: string[];
  dns?: string[];
}

const algorithm = () => seq(oid(OID.ecdsaWithSha256));
const name = (cn: string) => seq(set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [TRUE] : []), octets(value));

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). For P-256 the point is the SPKI's last 65 bytes. */
function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** A DER certificate, signed with `signingKey`. */
export function createCertificate(spec: CertificateSpec): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, 16 bytes
  const extensions = [
    extension(OID.basicConstraints, true, spec.ca ? seq(TRUE, uint(Buffer.from([0]))) : seq()),
    extension(OID.keyUsage, true, namedBits(spec.keyUsage)),
    ...(spec.serverAuth ? [extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth)))] : []),
    ...(spec.ips?.length || spec.dns?.length
      ? [extension(OID.subjectAltName, false, seq(...(spec.ips ?? []).map((ip) => tlv(0x87, ipBytes(ip))), ...(spec.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii')))))]
      : []),
    extension(OID.subjectKeyIdentifier, false, octets(keyId(spec.publicKey))),
    ...(spec.issuerPublicKey ? [extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId(spec.issuerPublicKey))))] : []),
  ];
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    algorithm(),
    name(spec.issuerCn),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subjectCn),
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  // node:crypto signs EC keys as a DER ECDSA-Sig-Value, which is what the certificate carries.
  const signature = sign('sha256', tbs, spec.signingKey);
  return seq(tbs, algorithm(), bits(signature));
}

export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
