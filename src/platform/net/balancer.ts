// Backend selection shared by the real proxies and the fake: round-robin, random or least
// connections over the ready backends, with optional client-IP affinity. Pure state, no I/O.
import type { ProxyBackend, ProxyPolicy } from './types.ts';

/** One backend as the balancer tracks it; connections keep a reference to decrement `active`. */
export interface BackendSlot {
  readonly key: string;
  backend: ProxyBackend;
  ready: boolean;
  /** Connections (or UDP flows) currently using this backend. */
  active: number;
  /** The handle engine's resolved IP when `backend.address` is a host name. */
  ip?: string;
}

const POLICIES: ReadonlySet<string> = new Set(['RoundRobin', 'Random', 'LeastConnections']);
/** Affinity entries kept at most; the oldest is forgotten first. */
const MAX_AFFINITY_ENTRIES = 10_000;

export function isProxyPolicy(value: unknown): value is ProxyPolicy {
  return typeof value === 'string' && POLICIES.has(value);
}

export function backendKey(backend: ProxyBackend): string {
  return `${backend.name}\u0000${backend.address}\u0000${backend.port}`;
}

export interface BalancerOptions {
  backends: ProxyBackend[];
  policy?: ProxyPolicy;
  clientIPAffinity?: boolean;
  /** Injected for deterministic tests of the Random policy. */
  random?: () => number;
}

export class Balancer {
  private slots = new Map<string, BackendSlot>();
  private ready: BackendSlot[] = [];
  private next = 0;
  private policy: ProxyPolicy;
  private affinity: Map<string, string> | undefined;
  private readonly random: () => number;

  constructor(options: BalancerOptions) {
    this.policy = options.policy ?? 'RoundRobin';
    this.affinity = options.clientIPAffinity ? new Map() : undefined;
    this.random = options.random ?? Math.random;
    this.setBackends(options.backends);
  }

  /** True when at least one backend can take a new connection. */
  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** Whether connections from one client IP stick to one backend (read per connection). */
  get clientIPAffinity(): boolean {
    return this.affinity !== undefined;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /** Replaces the backend set; slots of backends that stay keep their connection counts. */
  setBackends(backends: ProxyBackend[]): void {
    const slots = new Map<string, BackendSlot>();
    const ready: BackendSlot[] = [];
    for (const backend of backends) {
      const key = backendKey(backend);
      if (slots.has(key)) continue;
      const old = this.slots.get(key);
      const slot: BackendSlot = old ?? { key, backend, ready: false, active: 0 };
      slot.backend = { ...backend };
      slot.ready = backend.ready !== false;
      slots.set(key, slot);
      if (slot.ready) ready.push(slot);
    }
    // Slots of removed backends stay referenced by their connections but are no longer picked.
    for (const [key, slot] of this.slots) if (!slots.has(key)) slot.ready = false;
    this.slots = slots;
    this.ready = ready;
    if (this.next >= ready.length) this.next = 0;
  }

  setPolicy(policy: ProxyPolicy, clientIPAffinity?: boolean): void {
    this.policy = policy;
    if (clientIPAffinity === true && !this.affinity) this.affinity = new Map();
    if (clientIPAffinity === false) this.affinity = undefined;
  }

  getPolicy(): { policy: ProxyPolicy; clientIPAffinity: boolean } {
    return { policy: this.policy, clientIPAffinity: this.affinity !== undefined };
  }

  /**
   * Picks a ready backend for a new connection, or undefined when none is ready (or all ready ones
   * are in `exclude`, the backends a retrying connection already failed on).
   */
  pick(clientAddress?: string, exclude?: ReadonlySet<BackendSlot>): BackendSlot | undefined {
    const ready = this.ready;
    const n = ready.length;
    if (n === 0) return undefined;
    const affinity = this.affinity;
    if (affinity !== undefined && clientAddress !== undefined) {
      const key = affinity.get(clientAddress);
      if (key !== undefined) {
        const slot = this.slots.get(key);
        if (slot !== undefined && slot.ready && !exclude?.has(slot)) return slot;
      }
      const slot = this.choose(exclude);
      if (slot !== undefined) {
        affinity.delete(clientAddress);
        affinity.set(clientAddress, slot.key);
        if (affinity.size > MAX_AFFINITY_ENTRIES) affinity.delete(affinity.keys().next().value as string);
      }
      return slot;
    }
    if (exclude === undefined && this.policy === 'RoundRobin') {
      // The hot path: no allocation.
      const slot = ready[this.next % n]!;
      this.next = (this.next + 1) % n;
      return slot;
    }
    return this.choose(exclude);
  }

  private choose(exclude?: ReadonlySet<BackendSlot>): BackendSlot | undefined {
    const candidates = exclude === undefined ? this.ready : this.ready.filter((s) => !exclude.has(s));
    const n = candidates.length;
    if (n === 0) return undefined;
    switch (this.policy) {
      case 'Random':
        return candidates[Math.min(n - 1, Math.floor(this.random() * n))];
      case 'LeastConnections': {
        // Ties go round-robin so equal backends share the load.
        let best: BackendSlot | undefined;
        const start = this.next % n;
        for (let i = 0; i < n; i++) {
          const slot = candidates[(start + i) % n]!;
          if (best === undefined || slot.active < best.active) best = slot;
        }
        if (exclude === undefined) this.next = (this.next + 1) % Math.max(1, this.ready.length);
        return best;
      }
      default: {
        const slot = candidates[this.next % n]!;
        // A retry (exclude given) does not move the rotation: the next new connection gets its turn.
        if (exclude === undefined) this.next = (this.next + 1) % Math.max(1, this.ready.length);
        return slot;
      }
    }
  }
}
