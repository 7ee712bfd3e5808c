// Public surface of the TLS adapter: the per-user development CA and localhost certificate.
export {
  cleanDevCertificates,
  createDevCertificates,
  devCertificatePaths,
  devCertsDir,
  ensureDevCertificates,
  DEV_CERT_NAMES,
  CONTAINER_DEV_CERTS_DIR,
} from './dev-certs.ts';
export type { DevCertificatePaths, DevCertificates, EnsureResult } from './dev-certs.ts';
export { TlsError, isTlsError } from './errors.ts';
export type { TlsErrorCode } from './errors.ts';
