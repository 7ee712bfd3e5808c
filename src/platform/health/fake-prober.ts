// In-memory Prober for controller tests: results are set per target; every call is recorded.
// Targets are `tcp://host:port` for TCP probes, the URL itself for HTTP probes and `pid://<pid>` for
// process probes (running unless set).
import type { HttpProbeOptions, Prober, ProbeResult, TcpProbeOptions } from './types.ts';

export interface FakeProber extends Prober {
  /** Makes probes of `target` return `result` (true/false for a plain healthy/refused answer). */
  set(target: string, result: ProbeResult | boolean): void;
  /** Targets probed so far, in order. */
  calls(): string[];
  /** Forgets results and calls. */
  reset(): void;
}

export function tcpTarget(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function createFakeProber(options: { defaultResult?: ProbeResult } = {}): FakeProber {
  const results = new Map<string, ProbeResult>();
  const history: string[] = [];

  function answer(target: string): ProbeResult {
    history.push(target);
    return (
      results.get(target) ??
      options.defaultResult ?? { ok: false, code: 'PROBE_REFUSED', message: `connect ECONNREFUSED ${target}` }
    );
  }

  return {
    async tcp(o: TcpProbeOptions) {
      return answer(tcpTarget(o.host, o.port));
    },
    async http(o: HttpProbeOptions) {
      return answer(o.url);
    },
    async process(o) {
      // Running unless set otherwise (`pid://<pid>`); not in calls(), which lists network probes.
      const target = `pid://${o.pid}`;
      return results.get(target) ?? { ok: true, code: 'PROBE_OK', message: `pid ${o.pid} is running` };
    },
    set(target, result) {
      results.set(
        target,
        typeof result === 'boolean'
          ? result
            ? { ok: true, code: 'PROBE_OK', message: `${target} is healthy` }
            : { ok: false, code: 'PROBE_REFUSED', message: `connect ECONNREFUSED ${target}` }
          : result,
      );
    },
    calls: () => [...history],
    reset() {
      results.clear();
      history.length = 0;
    },
  };
}
