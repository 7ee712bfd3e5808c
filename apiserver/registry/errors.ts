// Registry setup errors (bad CRD files). Admission errors are ApiErrors from ../errors.ts; these are
// for the operator starting the server, with a stable code and a one-line message.

export type RegistryErrorCode = 'CRD_READ_FAILED' | 'CRD_INVALID';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;

  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.code = code;
  }
}

export function isRegistryError(err: unknown, code?: RegistryErrorCode): err is RegistryError {
  return err instanceof RegistryError && (code === undefined || err.code === code);
}
