// The proxyless port range: 10000-32767 unless APPHOST_PROXYLESS_PORT_RANGE says otherwise.
import { PortError } from './errors.ts';
import type { PortRange } from './types.ts';

export const DEFAULT_PROXYLESS_RANGE: PortRange = Object.freeze({ min: 10_000, max: 32_767 });
export const PROXYLESS_RANGE_ENV = 'APPHOST_PROXYLESS_PORT_RANGE';

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65_535;
}

export function checkRange(min: number, max: number, source = 'port range'): PortRange {
  if (!isValidPort(min) || !isValidPort(max) || min > max) {
    throw new PortError('PORT_RANGE_INVALID', `invalid ${source} ${min}-${max}: expected MIN-MAX with 1 <= MIN <= MAX <= 65535`);
  }
  return { min, max };
}

/** Parses "MIN-MAX", e.g. "10000-32767". */
export function parsePortRange(text: string, source = 'port range'): PortRange {
  const match = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!match) {
    throw new PortError('PORT_RANGE_INVALID', `invalid ${source} "${text}": expected MIN-MAX, e.g. 10000-32767`);
  }
  return checkRange(Number(match[1]), Number(match[2]), source);
}

/** The range from the environment, or the default. An invalid value is a PORT_RANGE_INVALID error. */
export function proxylessRangeFromEnv(env: Record<string, string | undefined> = process.env): PortRange {
  const text = env[PROXYLESS_RANGE_ENV];
  if (text === undefined || text.trim() === '') return { ...DEFAULT_PROXYLESS_RANGE };
  return parsePortRange(text, PROXYLESS_RANGE_ENV);
}

/** Linux's default ephemeral range (`net.ipv4.ip_local_port_range`). */
const DEFAULT_EPHEMERAL: PortRange = Object.freeze({ min: 32_768, max: 60_999 });

/** The kernel's ephemeral range: where outgoing connections and binds to port 0 take their ports. */
export function ephemeralRange(read: () => string | undefined): PortRange {
  const text = read();
  const match = text ? /^\s*(\d+)\s+(\d+)\s*$/.exec(text) : null;
  if (!match) return { ...DEFAULT_EPHEMERAL };
  const min = Number(match[1]);
  const max = Number(match[2]);
  return isValidPort(min) && isValidPort(max) && min <= max ? { min, max } : { ...DEFAULT_EPHEMERAL };
}

/**
 * Where random proxy and replica ports come from: outside the ephemeral range, so that a port a
 * replica frees is never taken by an outgoing connection (which, on loopback, can even connect to
 * itself) or by someone's bind to port 0 while the proxy still has it as a backend.
 */
export function dynamicRange(ephemeral: PortRange): PortRange {
  if (65_535 - ephemeral.max >= 2_000) return { min: ephemeral.max + 1, max: 65_535 };
  return { min: Math.max(1_024, ephemeral.min - 16_384), max: ephemeral.min - 1 };
}
