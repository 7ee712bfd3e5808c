// One TCP connect, bounded in time. Never throws.
import { connect } from 'node:net';
import { boundedProbe } from './bounded-probe.ts';
import { GREETINGS } from './protocol-greetings.ts';
import type { ProbeCode, ProbeResult, TcpProbeOptions } from './types.ts';

export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/**
 * A failed connect as a probe result. With happy eyeballs (`localhost` resolving to ::1 and
 * 127.0.0.1) Node reports an AggregateError with an empty message: use its parts.
 */
export function failureOf(err: NodeJS.ErrnoException): ProbeResult {
  const parts: NodeJS.ErrnoException[] =
    err instanceof AggregateError && err.errors.length > 0 ? (err.errors as NodeJS.ErrnoException[]) : [err];
  const code = err.code ?? parts[0]?.code;
  const message = [...new Set(parts.map((e) => e.message).filter((m) => m))].join('; ') || err.message || String(code);
  const probeCode: ProbeCode =
    code === 'ECONNREFUSED' ? 'PROBE_REFUSED' : code === 'ETIMEDOUT' ? 'PROBE_TIMEOUT' : 'PROBE_ERROR';
  return { ok: false, code: probeCode, message };
}

export function probeTcp(options: TcpProbeOptions): Promise<ProbeResult> {
  const { host, port } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timeoutMessage = `timeout after ${timeoutMs} ms connecting to ${target}`;
  return boundedProbe({ target, timeoutMs, timeoutMessage, signal: options.signal }, (finish) => {
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect({ host, port });
    } catch (err) {
      // e.g. ERR_SOCKET_BAD_PORT: a bad target is an unhealthy probe, not a throw.
      finish({ ok: false, code: 'PROBE_ERROR', message: `cannot probe ${target}: ${(err as Error).message}` });
      return () => undefined;
    }
    socket.setNoDelay(true);
    socket.once('connect', () => {
      if (!options.protocol) return finish({ ok: true, code: 'PROBE_OK', message: `connected to ${target}` });
      const greeting = GREETINGS[options.protocol]();
      let reply = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        reply = Buffer.concat([reply, chunk]);
        const verdict = greeting.judge(reply);
        if (verdict) finish({ ok: verdict.ok, code: verdict.ok ? 'PROBE_OK' : 'PROBE_PROTOCOL', message: `${verdict.message} (${target})` });
      });
      socket.once('end', () => finish({ ok: false, code: 'PROBE_PROTOCOL', message: `${target} closed the connection without a ${options.protocol} answer` }));
      socket.write(greeting.request);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => finish(failureOf(err)));
    return () => socket.destroy();
  });
}
