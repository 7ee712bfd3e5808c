// Durations as kubectl takes them: `30s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds.
import { CliError } from './errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== v.length) {
    throw new CliError('USAGE', `invalid duration "${value}": use e.g. 30s, 5m, 1h30m`);
  }
  return total;
}
