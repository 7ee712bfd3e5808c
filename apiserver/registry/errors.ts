// Registry setup errors (bad CRD files). Admission errors are ApiErrors from ../errors.ts; these are
// for the operator starting the server, with a stable code and a one-line message.
import { CodedError, codedErrorGuard } from '../../src/errors.ts';

export type RegistryErrorCode = 'CRD_READ_FAILED' | 'CRD_INVALID';

export class RegistryError extends CodedError<RegistryErrorCode> {}

export const isRegistryError = codedErrorGuard(RegistryError);
