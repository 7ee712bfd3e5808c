// Errors of the TLS adapter (development certificates): one base class, stable codes.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type TlsErrorCode = 'DEV_CERTS_UNREADABLE' | 'DEV_CERTS_LOCKED' | 'DEV_CERTS_WRITE_FAILED';

export class TlsError extends CodedError<TlsErrorCode> {}

export const isTlsError = codedErrorGuard(TlsError);
