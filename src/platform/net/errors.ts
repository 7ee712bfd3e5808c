// Errors of the proxy data plane. Callers (the proxies controller) switch on `code`, never on messages.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type ProxyErrorCode =
  /** The listen port is taken (EADDRINUSE). */
  | 'PortInUse'
  /** The listen address does not exist on this machine (EADDRNOTAVAIL). */
  | 'AddressNotAvailable'
  /** Any other bind failure (EACCES for a privileged port, ...). */
  | 'BindFailed'
  /** The options are unusable (bad port, unknown protocol or policy). */
  | 'InvalidOptions';

export class ProxyError extends CodedError<ProxyErrorCode> {
  readonly port?: number;
  readonly address?: string;

  constructor(code: ProxyErrorCode, message: string, details: { port?: number; address?: string; cause?: unknown } = {}) {
    super(code, message, details);
    if (details.port !== undefined) this.port = details.port;
    if (details.address !== undefined) this.address = details.address;
  }
}

export const isProxyError = codedErrorGuard(ProxyError);

/** Maps a bind failure from `net`/`dgram` to a ProxyError with a one-line message. */
export function bindError(err: NodeJS.ErrnoException, address: string, port: number): ProxyError {
  const where = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ProxyError('PortInUse', `port ${port} is already in use on ${address}`, { port, address, cause: err });
    case 'EADDRNOTAVAIL':
      return new ProxyError('AddressNotAvailable', `address ${address} is not available on this machine`, { port, address, cause: err });
    case 'EACCES':
      return new ProxyError('BindFailed', `permission denied binding ${where}`, { port, address, cause: err });
    default:
      return new ProxyError('BindFailed', `cannot bind ${where}: ${err.code ?? err.message}`, { port, address, cause: err });
  }
}
