// A TCP proxy served by apphost and its proxy workers together: apphost's own handles-engine proxy
// binds the sockets and accepts too; every change and the close go to the workers as well, and
// stats() is the sum of all of them. Each process balances its own connections (round-robin and
// least-connections per process). Client-IP affinity needs one table, so while it is on, apphost
// alone serves the proxy.
import type { ProxyError } from './errors.ts';
import type { WorkerProxyOptions } from './proxy-worker-protocol.ts';
import { addStats, ZERO_STATS } from './proxy-stats.ts';
import type { ProxyWorkerPool } from './proxy-workers.ts';
import type { HandleTcpProxy } from './tcp-handle-proxy.ts';
import type { ProxyBackend, ProxyOptions, ProxyPolicy, ProxyStats, RunningProxy, WhenNoBackend } from './types.ts';

export class SharedTcpProxy implements RunningProxy {
  readonly protocol = 'TCP' as const;
  readonly engine = 'handles' as const;
  private id: string | undefined;
  private options: WorkerProxyOptions;
  private closing: Promise<void> | undefined;
  /** What workers counted for this proxy before it stopped being shared. */
  private ended: ProxyStats = { ...ZERO_STATS };

  /** Resolves when the workers that were running accept on the proxy too. */
  readonly started: Promise<void>;

  constructor(
    private readonly local: HandleTcpProxy,
    private readonly pool: ProxyWorkerPool,
    options: ProxyOptions,
  ) {
    const { logger: _logger, engine: _engine, ...shared } = options;
    this.options = shared;
    this.started = options.clientIPAffinity ? Promise.resolve() : this.share();
  }

  private share(): Promise<void> {
    this.id = this.pool.newId();
    return this.pool.share({ id: this.id, handles: this.local.listeningHandles(), addresses: [...this.local.boundAddresses], port: this.port, options: this.options });
  }

  private async unshare(): Promise<void> {
    const id = this.id;
    this.id = undefined;
    if (id === undefined) return;
    this.ended = addStats(this.ended, await this.pool.unshare(id));
  }

  get address(): string {
    return this.local.address;
  }
  get port(): number {
    return this.local.port;
  }
  get boundAddresses(): readonly string[] {
    return this.local.boundAddresses;
  }
  get notBound(): readonly ProxyError[] {
    return this.local.notBound;
  }

  setBackends(backends: ProxyBackend[]): void {
    this.local.setBackends(backends);
    this.options = { ...this.options, backends };
    if (this.id !== undefined) this.pool.setBackends(this.id, backends);
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    this.local.setPolicy(policy, clientIPAffinity);
    this.options = { ...this.options, policy, ...(clientIPAffinity !== undefined ? { clientIPAffinity } : {}) };
    if (this.closing) return;
    if (clientIPAffinity === true && this.id !== undefined) void this.unshare();
    else if (clientIPAffinity === false && this.id === undefined) void this.share();
    else if (this.id !== undefined) this.pool.setPolicy(this.id, policy, clientIPAffinity);
  }

  setWhenNoBackend(mode: WhenNoBackend): void {
    this.local.setWhenNoBackend(mode);
    this.options = { ...this.options, whenNoBackend: mode };
    if (this.id !== undefined) this.pool.setWhenNoBackend(this.id, mode);
  }

  /** What the worker processes alone counted (for diagnostics and tests). */
  workerStats(): ProxyStats {
    return addStats(this.ended, this.id === undefined ? undefined : this.pool.stats(this.id));
  }

  stats(): ProxyStats {
    return addStats(this.local.stats(), this.workerStats());
  }

  /** The port is free once apphost and every worker have closed their copy of the socket. */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.unshare(), this.local.close()]).then(() => undefined);
    return this.closing;
  }
}

