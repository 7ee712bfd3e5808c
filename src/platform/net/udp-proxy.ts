// The real UDP proxy: one upstream socket per client (address:port), so a backend's replies reach
// the client that asked; flows idle longer than the timeout are dropped by one sweeper per proxy.
import dgram from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import { Balancer } from './balancer.ts';
import type { BackendSlot } from './balancer.ts';
import { clientFilter, type ClientFilter } from './client-filter.ts';
import type { ProxyError } from './errors.ts';
import { bindAll } from './listen.ts';
import type { Bound } from './listen.ts';
import { validateBackends, validatePolicy, validateWhenNoBackend } from './validate.ts';
import type { ProxyBackend, ProxyOptions, ProxyPolicy, ProxyStats, RunningProxy, WhenNoBackend } from './types.ts';

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

interface UdpFlow {
  key: string;
  listener: Socket;
  clientAddress: string;
  clientPort: number;
  upstream: Socket;
  slot: BackendSlot;
  lastActive: number;
}

export class UdpProxy implements RunningProxy {
  readonly engine = 'dgram' as const;
  readonly protocol = 'UDP' as const;
  readonly address: string;
  port = 0;
  boundAddresses: string[] = [];
  readonly notBound: ProxyError[] = [];
  private readonly counters: ProxyStats = {
    activeConnections: 0,
    totalConnections: 0,
    bytesIn: 0,
    bytesOut: 0,
    failedConnects: 0,
    refusedConnections: 0,
  };
  private readonly balancer: Balancer;
  private readonly allowClient: ClientFilter | undefined;
  private readonly log: Logger | undefined;
  private readonly idleTimeoutMs: number;
  private listeners: Socket[] = [];
  private readonly flows = new Map<string, UdpFlow>();
  private sweeper: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ProxyOptions) {
    this.address = options.listen.address;
    this.balancer = new Balancer(options);
    this.allowClient = clientFilter(options.allowedClients);
    this.log = options.logger;
    this.idleTimeoutMs = options.udpIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  async listen(port: number): Promise<void> {
    const bound: Bound<Socket>[] = await bindAll<Socket>({
      address: this.address,
      port,
      bindOne: (address, p) => bindSocket(address, p),
      closeOne: closeSocket,
      notBound: this.notBound,
    });
    this.listeners = bound.map((b) => b.handle);
    this.boundAddresses = bound.map((b) => b.address);
    this.port = bound[0]!.port;
    for (const listener of this.listeners) {
      listener.on('message', (msg, rinfo) => this.fromClient(listener, msg, rinfo));
      listener.on('error', (err) => {
        this.counters.lastError = `listener: ${err.message}`;
      });
    }
    const sweepEvery = Math.max(10, Math.min(10_000, Math.floor(this.idleTimeoutMs / 2)));
    this.sweeper = setInterval(() => this.sweep(), sweepEvery);
    this.sweeper.unref();
    this.log?.debug({ address: this.address, port: this.port, bound: this.boundAddresses }, 'udp proxy listening');
  }

  setBackends(backends: ProxyBackend[]): void {
    validateBackends(backends);
    this.balancer.setBackends(backends);
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    validatePolicy(policy);
    this.balancer.setPolicy(policy, clientIPAffinity);
  }

  /** Nothing is held for UDP: a datagram with no ready backend is dropped either way. */
  setWhenNoBackend(mode: WhenNoBackend): void {
    validateWhenNoBackend(mode);
  }

  stats(): ProxyStats {
    return { ...this.counters, activeConnections: this.flows.size };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    clearInterval(this.sweeper);
    for (const flow of this.flows.values()) this.drop(flow);
    this.closing = Promise.all(this.listeners.map(closeSocket)).then(() => {
      this.log?.debug({ address: this.address, port: this.port }, 'udp proxy closed');
    });
    return this.closing;
  }

  private fromClient(listener: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (flow === undefined && this.allowClient !== undefined && !this.allowClient(rinfo.address)) {
      this.counters.refusedConnections++;
      this.counters.lastError = `refused ${rinfo.address}: not in allowedClients`;
      return;
    }
    if (flow === undefined || !flow.slot.ready) {
      // A flow whose backend left is re-balanced on its next datagram.
      if (flow !== undefined) this.drop(flow);
      const slot = this.balancer.pick(this.balancer.clientIPAffinity ? rinfo.address : undefined);
      if (slot === undefined) {
        this.counters.lastError = 'no ready backend';
        return;
      }
      flow = this.open(key, listener, rinfo, slot);
    }
    flow.lastActive = performance.now();
    this.counters.bytesIn += msg.length;
    const backend = flow.slot.backend;
    flow.upstream.send(msg, backend.port, backend.address, (err) => {
      if (err) this.sendFailed(flow, err);
    });
  }

  private open(key: string, listener: Socket, rinfo: RemoteInfo, slot: BackendSlot): UdpFlow {
    const type = net.isIPv6(slot.backend.address) ? 'udp6' : 'udp4';
    const upstream = dgram.createSocket(type);
    const flow: UdpFlow = {
      key,
      listener,
      clientAddress: rinfo.address,
      clientPort: rinfo.port,
      upstream,
      slot,
      lastActive: performance.now(),
    };
    upstream.on('message', (reply, from) => {
      if (from.port !== flow.slot.backend.port) return;
      flow.lastActive = performance.now();
      this.counters.bytesOut += reply.length;
      flow.listener.send(reply, flow.clientPort, flow.clientAddress);
    });
    upstream.on('error', (err) => this.sendFailed(flow, err));
    slot.active++;
    this.flows.set(key, flow);
    this.counters.totalConnections++;
    return flow;
  }

  private sendFailed(flow: UdpFlow, err: NodeJS.ErrnoException): void {
    const backend = flow.slot.backend;
    this.counters.failedConnects++;
    this.counters.lastError = `${backend.name} ${backend.address}:${backend.port}: ${err.code ?? err.message}`;
  }

  private drop(flow: UdpFlow): void {
    if (this.flows.get(flow.key) === flow) this.flows.delete(flow.key);
    flow.slot.active--;
    flow.upstream.removeAllListeners('message');
    flow.upstream.on('error', () => {});
    try {
      flow.upstream.close();
    } catch {
      // Already closed.
    }
  }

  private sweep(): void {
    const oldest = performance.now() - this.idleTimeoutMs;
    for (const flow of this.flows.values()) if (flow.lastActive <= oldest) this.drop(flow);
  }
}

function bindSocket(address: string, port: number): Promise<Bound<Socket>> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
    const onError = (err: Error): void => {
      try {
        socket.close();
      } catch {
        // Never bound.
      }
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeListener('error', onError);
      const info = socket.address();
      resolve({ handle: socket, address: info.address, port: info.port });
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

export async function startUdpProxy(options: ProxyOptions): Promise<UdpProxy> {
  const proxy = new UdpProxy(options);
  await proxy.listen(options.listen.port);
  return proxy;
}
