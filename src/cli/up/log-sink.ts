// apphost's own warnings while `up` runs: pino JSON lines turned into one readable line each
// (`[apphost] warn proxies default/web-http: port 5066 is already in use ...`), written through
// the live view so they do not tear the status block. Lines before the view exists are kept.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pc from 'picocolors';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function formatLogRecord(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = LEVELS[Number(rec.level)] ?? 'log';
  const where = [rec.controller, rec.key].filter((x) => typeof x === 'string' && x).join(' ');
  const err = rec.err && typeof rec.err === 'object' ? ` (${String((rec.err as { message?: unknown }).message ?? '')})` : '';
  const text = `[apphost] ${level}${where ? ` ${where}` : ''}: ${String(rec.msg ?? '').replace(/\s+/g, ' ').trim()}${err}`;
  return Number(rec.level) >= 50 ? pc.red(text) : pc.yellow(text);
}

export interface LogSink {
  logger: Logger;
  /** Send lines (and those buffered so far) to `write`. */
  attach(write: (line: string) => void): void;
}

export function createLogSink(level = process.env.APPHOST_LOG_LEVEL ?? 'warn'): LogSink {
  let target: ((line: string) => void) | undefined;
  const buffered: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString();
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = formatLogRecord(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
        if (target) target(line);
        else if (buffered.length < 1000) buffered.push(line);
      }
      done();
    },
  });
  return {
    logger: pino({ level }, stream),
    attach(write) {
      target = write;
      for (const l of buffered.splice(0)) write(l);
    },
  };
}
