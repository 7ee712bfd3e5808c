// Errors of starting the API server (for the operator, one line, a stable code). Request errors are
// ApiErrors from ../errors.ts, answered as Status objects.
import { CodedError, codedErrorGuard } from '../../src/errors.ts';

export type ApiServerErrorCode = 'PORT_IN_USE' | 'LISTEN_FAILED' | 'BAD_HOST';

export class ApiServerError extends CodedError<ApiServerErrorCode> {}

export const isApiServerError = codedErrorGuard(ApiServerError);
