// A bounded load of new connections (one GET per connection) against a proxy URL, with a gate so a
// test can kill a replica between requests: a request in flight on a dying process, or queued in
// its accept backlog, cannot succeed anywhere, so every failure counted is a new connection the
// proxy failed to place while it still listed the dead replica.
import { httpGet, isAlive, waitFor, type EchoAnswer } from './harness.ts';

export interface FailoverLoad {
  ok(): number;
  failures: string[];
  servedBy: { replica: string; pid: number; at: number }[];
  /** Pauses new requests, waits until none is in flight, SIGKILLs `pid`, waits until it is gone, resumes. */
  killBetweenRequests(pid: number): Promise<number>;
  stop(): Promise<void>;
}

export function startFailoverLoad(url: string, options: { workers?: number; maxPerWorker?: number; maxMs?: number; describe?: () => string } = {}): FailoverLoad {
  let stopped = false;
  let gate: Promise<void> | undefined;
  let inFlight = 0;
  let ok = 0;
  let killedAt = 0;
  const failures: string[] = [];
  const servedBy: FailoverLoad['servedBy'] = [];
  const deadline = Date.now() + (options.maxMs ?? 60_000);
  const worker = async () => {
    for (let n = 0; !stopped && n < (options.maxPerWorker ?? 20_000) && Date.now() < deadline; n++) {
      if (gate) await gate;
      inFlight++;
      try {
        const res = await httpGet(url);
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
        else {
          ok++;
          const body = res.json<EchoAnswer>();
          servedBy.push({ replica: body.replica, pid: body.pid, at: Date.now() });
        }
      } catch (err) {
        failures.push(`${(err as Error).message} at ${killedAt ? `+${Date.now() - killedAt} ms after a kill` : 'before any kill'}${options.describe ? ` (${options.describe()})` : ''}`);
      } finally {
        inFlight--;
      }
    }
  };
  const workers = Array.from({ length: options.workers ?? 8 }, worker);
  return {
    ok: () => ok,
    failures,
    servedBy,
    async killBetweenRequests(pid) {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      await waitFor('no request in flight', () => inFlight === 0, 5000, 1);
      process.kill(pid, 'SIGKILL');
      killedAt = Date.now();
      await waitFor('killed replica gone', () => !isAlive(pid), 2000, 1);
      gate = undefined;
      release();
      return killedAt;
    },
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
