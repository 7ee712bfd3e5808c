// CLI errors: one line for the user (`error: ...`), a stable code, an exit code. Anything thrown
// inside a command is turned into one of these by `toCliError`; a stack trace is never printed.
import type { Status } from '../api/status.ts';
import { CodedError, codedErrorGuard } from '../errors.ts';

export type CliErrorCode =
  | 'NO_APPHOST'
  | 'UNREACHABLE'
  | 'API_ERROR'
  | 'USAGE'
  | 'UNKNOWN_TYPE'
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'BAD_INPUT'
  | 'INTERNAL';

export class CliError extends CodedError<CliErrorCode> {
  readonly exitCode: number;
  /** The Kubernetes Status behind an API_ERROR. */
  readonly status?: Status;

  constructor(code: CliErrorCode, message: string, options: { exitCode?: number; status?: Status } = {}) {
    super(code, message);
    this.exitCode = options.exitCode ?? 1;
    this.status = options.status;
  }
}

export const isCliError = codedErrorGuard(CliError);

export const NO_APPHOST_MESSAGE =
  'no running apphost found (no .apphost/kubeconfig here or in a parent directory): start one with `apphostctl up`';

/** A Status from the server as one line: the message, or for 422 each cause with its field. */
export function statusMessage(status: Status): string {
  const causes = status.details?.causes ?? [];
  if (status.reason === 'Invalid' && causes.length > 0) {
    const kind = status.details?.kind ?? 'object';
    const group = status.details?.group ? `.${status.details.group}` : '';
    const name = status.details?.name ? ` "${status.details.name}"` : '';
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    return `${kind}${group}${name} is invalid: ${parts.join('; ')}`;
  }
  return status.message || `${status.reason} (${status.code})`;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

/** Any thrown value -> a CliError with a one-line message. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // Errors of other layers (HostError, BuilderError, DotnetError ...) carry user-facing messages.
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return new CliError('BAD_INPUT', firstLine(err.message));
    return new CliError('INTERNAL', firstLine(err.message || String(err)));
  }
  return new CliError('INTERNAL', firstLine(String(err)));
}
