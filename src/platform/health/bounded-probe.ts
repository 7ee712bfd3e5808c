// What every probe shares: it settles exactly once, within its timeout, or when its signal aborts,
// and then releases what it opened. Never throws.
import type { ProbeResult } from './types.ts';

export interface BoundedProbeOptions {
  /** `127.0.0.1:4312` or the URL: named in the abort message. */
  target: string;
  timeoutMs: number;
  /** The result message when the timeout fires, e.g. `timeout after 1000 ms connecting to ...`. */
  timeoutMessage: string;
  signal?: AbortSignal;
}

/**
 * Runs `start(finish)`, which opens a connection and calls `finish` with the outcome; it returns
 * how to release the connection, called once the probe has settled (however it settled).
 */
export function boundedProbe(
  options: BoundedProbeOptions,
  start: (finish: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  const aborted: ProbeResult = { ok: false, code: 'PROBE_ABORTED', message: `probe of ${options.target} aborted` };
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve(aborted);
  return new Promise((resolve) => {
    let settled = false;
    let release: (() => void) | undefined;
    const timer = setTimeout(() => finish({ ok: false, code: 'PROBE_TIMEOUT', message: options.timeoutMessage }), options.timeoutMs);
    const onAbort = () => finish(aborted);
    signal?.addEventListener('abort', onAbort, { once: true });

    function finish(result: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      release?.();
      resolve(result);
    }

    release = start(finish);
    // `start` may have settled the probe before it returned its release function.
    if (settled) release();
  });
}
