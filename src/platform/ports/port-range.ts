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
