// Errors of starting the API server (for the operator, one line, a stable code). Request errors are
// ApiErrors from ../errors.ts, answered as Status objects.

export type ApiServerErrorCode = 'PORT_IN_USE' | 'LISTEN_FAILED' | 'BAD_HOST';

export class ApiServerError extends Error {
  readonly code: ApiServerErrorCode;

  constructor(code: ApiServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiServerError';
    this.code = code;
  }
}

export function isApiServerError(err: unknown, code?: ApiServerErrorCode): err is ApiServerError {
  return err instanceof ApiServerError && (code === undefined || err.code === code);
}
