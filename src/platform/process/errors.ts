// Errors of the process adapter: one base class, stable codes. Tests assert on `code`.
import { CodedError, codedErrorGuard } from '../../errors.ts';
import type { ProcessErrorCode } from './types.ts';

export type ProcessAdapterErrorCode = ProcessErrorCode | 'PROCESS_INVALID_OPTIONS';

export class ProcessError extends CodedError<ProcessAdapterErrorCode> {}

export const isProcessError = codedErrorGuard(ProcessError);

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
