// Binding one listening address, or both loopback families for `localhost`, on the same port.
import { bindError, ProxyError } from './errors.ts';

/** A bound listener: whatever the protocol, something with a port that can be closed. */
export interface Bound<H> {
  handle: H;
  address: string;
  port: number;
}

export interface BindAllOptions<H> {
  address: string;
  port: number;
  /** Binds one concrete address; rejects with the raw errno error. */
  bindOne(address: string, port: number): Promise<Bound<H>>;
  closeOne(handle: H): Promise<void>;
  /**
   * For `localhost` on a fixed port: when ::1 cannot be bound (another process holds the port on
   * ::1 only) 127.0.0.1 is kept and the failure is pushed here instead of thrown.
   */
  notBound?: ProxyError[];
}

/** Errors meaning "this machine has no such address/family": `localhost` then stays IPv4-only. */
const NO_FAMILY = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EINVAL']);
/** How often port 0 on `localhost` is retried when ::1 happens to hold the port 127.0.0.1 got. */
const DUAL_STACK_ATTEMPTS = 8;

export function validatePort(port: unknown): asserts port is number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ProxyError('InvalidOptions', `listen port must be an integer from 0 to 65535, got ${String(port)}`);
  }
}

/**
 * Binds `address:port`; for `localhost`, 127.0.0.1 and (when the machine has it) ::1 on one port.
 * With `notBound`, a fixed `localhost` port held on ::1 only serves on 127.0.0.1.
 */
export async function bindAll<H>(options: BindAllOptions<H>): Promise<Bound<H>[]> {
  const { address, port, bindOne, closeOne, notBound } = options;
  validatePort(port);
  if (address !== 'localhost') {
    try {
      return [await bindOne(address, port)];
    } catch (err) {
      throw bindError(err as NodeJS.ErrnoException, address, port);
    }
  }
  for (let attempt = 1; ; attempt++) {
    let v4: Bound<H>;
    try {
      v4 = await bindOne('127.0.0.1', port);
    } catch (err) {
      // 127.0.0.1 taken is PortInUse: IPv4 clients (most) would reach the other process.
      throw bindError(err as NodeJS.ErrnoException, '127.0.0.1', port);
    }
    try {
      return [v4, await bindOne('::1', v4.port)];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NO_FAMILY.has(code)) return [v4];
      if (notBound && port !== 0) {
        notBound.push(bindError(err as NodeJS.ErrnoException, '::1', port));
        return [v4];
      }
      await closeOne(v4.handle);
      if (code === 'EADDRINUSE' && port === 0 && attempt < DUAL_STACK_ATTEMPTS) continue;
      throw bindError(err as NodeJS.ErrnoException, '::1', v4.port);
    }
  }
}
