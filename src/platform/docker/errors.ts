// Errors of the container runtime layer. Callers and tests branch on `code`, never on messages.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type ContainerRuntimeErrorCode =
  /** The daemon cannot be reached (socket missing, refused, permission denied, timed out). */
  | 'DOCKER_UNAVAILABLE'
  /** The container or network does not exist. */
  | 'DOCKER_NOT_FOUND'
  /** The image is not present locally and could not be pulled. */
  | 'DOCKER_IMAGE_NOT_FOUND'
  /** A name is already taken or the object is in a state that forbids the operation. */
  | 'DOCKER_CONFLICT'
  /** A published host port is already held by something else. */
  | 'DOCKER_PORT_IN_USE'
  /** The request was rejected as invalid (bad name, bad option). */
  | 'DOCKER_INVALID'
  /** Anything else the daemon reported. */
  | 'DOCKER_FAILED';

export const DOCKER_UNAVAILABLE_MESSAGE = (socket: string): string =>
  `Docker is not available: cannot connect to ${socket} — start dockerd or Docker Desktop`;

export class ContainerRuntimeError extends CodedError<ContainerRuntimeErrorCode> {
  readonly statusCode?: number;

  constructor(code: ContainerRuntimeErrorCode, message: string, options: { cause?: unknown; statusCode?: number } = {}) {
    super(code, message, options);
    this.statusCode = options.statusCode;
  }
}

export const isContainerRuntimeError = codedErrorGuard(ContainerRuntimeError);

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** Daemon message without dockerode's "(HTTP code 409) unexpected - " prefix. */
function daemonMessage(err: { json?: unknown; message?: string }): string {
  const json = err.json as { message?: string } | string | undefined | null;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (typeof json === 'string' && json.trim()) return json.trim();
  return String(err.message ?? err);
}

/** Maps an error thrown by dockerode / docker-modem to a ContainerRuntimeError with a stable code. */
export function toContainerRuntimeError(err: unknown, what: string, socket: string): ContainerRuntimeError {
  if (err instanceof ContainerRuntimeError) return err;
  const e = (err ?? {}) as { code?: string; statusCode?: number; json?: unknown; message?: string };
  if (e.code && CONNECT_CODES.has(e.code) && e.statusCode === undefined) {
    return new ContainerRuntimeError('DOCKER_UNAVAILABLE', DOCKER_UNAVAILABLE_MESSAGE(socket), { cause: err });
  }
  const msg = daemonMessage(e);
  const status = e.statusCode;
  const text = `${what}: ${msg}`;
  if (/port is already allocated|address already in use/i.test(msg)) {
    return new ContainerRuntimeError('DOCKER_PORT_IN_USE', text, { cause: err, statusCode: status });
  }
  if (status === 404) {
    const code = /no such image|pull access denied|manifest unknown/i.test(msg) ? 'DOCKER_IMAGE_NOT_FOUND' : 'DOCKER_NOT_FOUND';
    return new ContainerRuntimeError(code, text, { cause: err, statusCode: status });
  }
  // The daemon refuses to remove a network that containers are still attached to with a 403.
  if (status === 409 || (status === 403 && /has active endpoints/i.test(msg))) return new ContainerRuntimeError('DOCKER_CONFLICT', text, { cause: err, statusCode: status });
  if (status === 400) return new ContainerRuntimeError('DOCKER_INVALID', text, { cause: err, statusCode: status });
  return new ContainerRuntimeError('DOCKER_FAILED', text, { cause: err, statusCode: status });
}
