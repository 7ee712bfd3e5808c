// Errors of the log store: one base class, stable codes. Tests assert on `code`.

export type LogErrorCode = 'LOG_INVALID_OPTIONS';

export class LogError extends Error {
  readonly code: LogErrorCode;
  constructor(code: LogErrorCode, message: string) {
    super(message);
    this.name = 'LogError';
    this.code = code;
  }
}

export function isLogError(err: unknown, code?: LogErrorCode): err is LogError {
  return err instanceof LogError && (code === undefined || err.code === code);
}
