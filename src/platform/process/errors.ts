// Errors of the process adapter: one base class, stable codes. Tests assert on `code`.
import type { ProcessErrorCode } from './types.ts';

export type ProcessAdapterErrorCode = ProcessErrorCode | 'PROCESS_INVALID_OPTIONS';

export class ProcessError extends Error {
  readonly code: ProcessAdapterErrorCode;
  constructor(code: ProcessAdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProcessError';
    this.code = code;
  }
}

export function isProcessError(err: unknown, code?: ProcessAdapterErrorCode): err is ProcessError {
  return err instanceof ProcessError && (code === undefined || err.code === code);
}

/** Turns a spawn error into the one-line message and stable code that go into a ProcessExit. */
export function describeSpawnError(
  err: NodeJS.ErrnoException,
  command: string,
): { error: string; errorCode: ProcessErrorCode } {
  switch (err.code) {
    case 'ENOENT':
      return { error: `command not found: ${command}`, errorCode: 'PROCESS_COMMAND_NOT_FOUND' };
    case 'EACCES':
    case 'EPERM':
      return { error: `permission denied: ${command}`, errorCode: 'PROCESS_PERMISSION_DENIED' };
    default:
      return {
        error: `cannot start ${command}: ${err.code ?? err.message}`,
        errorCode: 'PROCESS_SPAWN_FAILED',
      };
  }
}
