// Runtime errors: one base class with a stable `code`. Tests assert on codes, not messages.
import { CodedError, codedErrorGuard } from '../errors.ts';

export type RuntimeErrorCode =
  | 'ERR_TERMINAL'
  | 'ERR_INVALID_CONTROLLER'
  | 'ERR_DUPLICATE_CONTROLLER'
  | 'ERR_MANAGER_STOPPED'
  | 'ERR_NOT_STEADY'
  | 'ERR_NOT_SETTLED';

export class RuntimeError extends CodedError<RuntimeErrorCode> {}

/**
 * Thrown by a reconcile when retrying cannot help (bad input the user must fix). The runtime logs it
 * and does not retry the key until something it watches changes.
 */
export class TerminalError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TERMINAL', message, options);
  }
}

export function isTerminalError(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}

export const isRuntimeError = codedErrorGuard(RuntimeError);
