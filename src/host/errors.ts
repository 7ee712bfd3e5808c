// Errors of the host layer (manifests, start-up, shutdown): one class, stable codes. Messages are one
// line a user can act on; callers print `err.message` without a stack.

export type HostErrorCode =
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_PARSE'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_APPLY'
  | 'START_FAILED';

export class HostError extends Error {
  readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostError';
    this.code = code;
  }
}

export function isHostError(err: unknown, code?: HostErrorCode): err is HostError {
  return err instanceof HostError && (code === undefined || err.code === code);
}
