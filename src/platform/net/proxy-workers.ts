// Proxy worker processes: more cores for the TCP data plane. Node 20 has no SO_REUSEPORT, so
// apphost binds each proxy's listening sockets itself and sends the handles to N forked workers;
// apphost and every worker accept on the same sockets and the kernel gives each new connection to
// one of them. Backends, policy and close follow over IPC; the workers report their counters,
// which the proxy's stats() adds to its own. A worker that dies is replaced and given every proxy
// again; apphost keeps serving alone meanwhile. Workers exit when apphost does (IPC disconnect).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { FromWorker, ToWorker, WorkerProxyOptions } from './proxy-worker-protocol.ts';
import { addStats, endedStats, ZERO_STATS } from './proxy-stats.ts';
import type { UvTcpHandle } from './uv-bindings.ts';
import type { ProxyBackend, ProxyPolicy, ProxyStats, WhenNoBackend } from './types.ts';

const RUN_TS = fileURLToPath(new URL('../../../bin/run-ts.js', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./proxy-worker-main.ts', import.meta.url));
/** A worker that does not confirm a close within this is killed (its copy of the socket holds the port). */
const CLOSE_TIMEOUT_MS = 3000;
const RESTART_DELAY_MS = 1000;
/** How long a new proxy waits for running workers to accept on it too. */
const START_TIMEOUT_MS = 2000;
const MAX_RESTARTS = 5;

/** What a proxy shares with the workers, kept so a replacement worker gets it again. */
export interface SharedProxyState {
  id: string;
  handles: readonly UvTcpHandle[];
  addresses: string[];
  port: number;
  options: WorkerProxyOptions;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
  stats: Map<string, ProxyStats>;
  closing: Map<string, () => void>;
  /** Proxies sent to this worker that it has not confirmed yet. */
  starting: Map<string, () => void>;
}


export class ProxyWorkerPool {
  private readonly workers = new Set<Worker>();
  private readonly proxies = new Map<string, SharedProxyState>();
  /** Counters of workers that died, so totals never go backwards. */
  private readonly retired = new Map<string, ProxyStats>();
  private restarts = 0;
  private disposed = false;
  private nextId = 1;

  constructor(
    readonly size: number,
    private readonly log?: Logger,
  ) {}

  newId(): string {
    return `p${this.nextId++}`;
  }

  /**
   * Shares a listening proxy with every worker (started on first use). Resolves when the workers
   * already running accept on it too; workers still starting take it when they are ready.
   */
  share(state: SharedProxyState): Promise<void> {
    this.proxies.set(state.id, state);
    while (this.workers.size < this.size && !this.disposed) this.spawn();
    const started = [...this.workers].filter((w) => w.ready).map(
      (worker) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, START_TIMEOUT_MS);
          worker.starting.set(state.id, () => {
            clearTimeout(timer);
            resolve();
          });
          this.sendProxy(worker, state);
        }),
    );
    return Promise.all(started).then(() => undefined);
  }

  setBackends(id: string, backends: ProxyBackend[]): void {
    const state = this.proxies.get(id);
    if (!state) return;
    state.options = { ...state.options, backends };
    this.broadcast({ op: 'backends', id, backends });
  }

  setPolicy(id: string, policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    const state = this.proxies.get(id);
    if (!state) return;
    state.options = { ...state.options, policy, ...(clientIPAffinity !== undefined ? { clientIPAffinity } : {}) };
    this.broadcast({ op: 'policy', id, policy, ...(clientIPAffinity !== undefined ? { clientIPAffinity } : {}) });
  }

  setWhenNoBackend(id: string, mode: WhenNoBackend): void {
    const state = this.proxies.get(id);
    if (!state) return;
    state.options = { ...state.options, whenNoBackend: mode };
    this.broadcast({ op: 'whenNoBackend', id, mode });
  }

  /** The workers' counters for one proxy, summed (activeConnections of live workers only). */
  stats(id: string): ProxyStats {
    let sum = { ...(this.retired.get(id) ?? ZERO_STATS) };
    for (const worker of this.workers) sum = addStats(sum, worker.stats.get(id));
    return sum;
  }

  /**
   * Resolves once no worker accepts on the proxy's sockets any more (killing a worker that stalls),
   * with the workers' final counters for it.
   */
  async unshare(id: string): Promise<ProxyStats> {
    if (!this.proxies.delete(id)) return { ...ZERO_STATS };
    await Promise.all(
      [...this.workers].filter((w) => w.ready).map(
        (worker) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              this.log?.warn({ pid: worker.child.pid, proxy: id }, 'proxy worker did not close a proxy in time: killing it');
              worker.child.kill('SIGKILL');
              resolve();
            }, CLOSE_TIMEOUT_MS);
            worker.closing.set(id, () => {
              clearTimeout(timer);
              resolve();
            });
            worker.child.once('exit', () => worker.closing.get(id)?.());
            this.send(worker, { op: 'close', id });
          }),
      ),
    );
    const final = endedStats(this.stats(id));
    this.retired.delete(id);
    for (const worker of this.workers) worker.stats.delete(id);
    return final;
  }

  /** Stops every worker and waits for them to exit. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(
      [...this.workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
            worker.child.once('exit', () => resolve());
            worker.child.kill('SIGTERM');
          }),
      ),
    );
    this.workers.clear();
  }

  private spawn(): void {
    const child = fork(RUN_TS, [WORKER_MAIN], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker: Worker = { child, ready: false, stats: new Map(), closing: new Map(), starting: new Map() };
    this.workers.add(worker);
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    child.on('message', (message: FromWorker) => this.onMessage(worker, message));
    child.on('error', (err) => this.log?.warn({ err }, 'proxy worker error'));
    child.on('exit', (code, signal) => this.onExit(worker, code, signal));
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    switch (message.op) {
      case 'ready':
        worker.ready = true;
        for (const state of this.proxies.values()) this.sendProxy(worker, state);
        return;
      case 'started':
      case 'failed':
        worker.starting.get(message.id)?.();
        worker.starting.delete(message.id);
        if (message.op === 'failed') this.log?.warn({ pid: worker.child.pid, proxy: message.id, message: message.message }, 'proxy worker could not take a proxy');
        return;
      case 'stats':
        if (this.proxies.has(message.id) || worker.closing.has(message.id)) worker.stats.set(message.id, message.stats);
        return;
      case 'closed':
        worker.closing.get(message.id)?.();
        worker.closing.delete(message.id);
        return;
    }
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker);
    for (const [id, s] of worker.stats) this.retired.set(id, addStats(this.retired.get(id) ?? { ...ZERO_STATS }, endedStats(s)));
    for (const done of [...worker.closing.values(), ...worker.starting.values()]) done();
    if (this.disposed) return;
    this.log?.warn({ pid: worker.child.pid, code, signal }, 'proxy worker exited');
    if (this.restarts++ < MAX_RESTARTS && this.proxies.size > 0) {
      setTimeout(() => {
        if (!this.disposed && this.workers.size < this.size) this.spawn();
      }, RESTART_DELAY_MS).unref();
    }
  }

  private sendProxy(worker: Worker, state: SharedProxyState): void {
    state.handles.forEach((handle, index) => this.send(worker, { op: 'handle', id: state.id, index }, handle));
    this.send(worker, { op: 'start', id: state.id, options: state.options, addresses: state.addresses, port: state.port, handles: state.handles.length });
  }

  private broadcast(message: ToWorker): void {
    for (const worker of this.workers) if (worker.ready) this.send(worker, message);
  }

  private send(worker: Worker, message: ToWorker, handle?: UvTcpHandle): void {
    if (!worker.child.connected) return;
    // keepOpen: apphost keeps accepting on the socket it sends.
    worker.child.send(message, handle as never, { keepOpen: true }, (err) => {
      if (err) this.log?.debug({ err, pid: worker.child.pid }, 'proxy worker message not delivered');
    });
  }
}
