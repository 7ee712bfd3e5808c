// Errors of the ports adapter: one base class, stable codes. Tests assert on `code`.

export type PortErrorCode =
  | 'PORT_RANGE_INVALID'
  | 'PORT_RANGE_EXHAUSTED'
  | 'PORT_ALLOCATION_FAILED'
  | 'PORT_INVALID';

export class PortError extends Error {
  readonly code: PortErrorCode;
  constructor(code: PortErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PortError';
    this.code = code;
  }
}

export function isPortError(err: unknown, code?: PortErrorCode): err is PortError {
  return err instanceof PortError && (code === undefined || err.code === code);
}
