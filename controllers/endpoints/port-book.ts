// Which Endpoint holds which host port. Ports come from the shared PortAllocator (so they never
// collide with replica target ports) and stay with their Endpoint until it goes away: a random port
// is stable for the life of the Endpoint, a fixed one is held exactly while it is configured.
import type { PortAllocator } from '../../src/platform/ports/types.ts';

export interface PortRequest {
  /** The configured port (proxied `port`, or a proxyless `port`/`targetPort`). */
  fixed?: number;
  /** A random port the Endpoint already had (its status.port), kept when still free to take. */
  remembered?: number;
  /** Random ports for proxyless endpoints come from the proxyless range. */
  proxyless: boolean;
}

export type PortClaimResult =
  | { ok: true; port: number }
  | { ok: false; reason: 'PortConflict' | 'AllocationFailed'; message: string };

interface Claim {
  port: number;
  fixed: boolean;
  proxyless: boolean;
  /** Resource key (`ns/name`) the endpoint belongs to. */
  owner: string;
}

export class PortBook {
  private readonly claims = new Map<string, Claim>();
  private readonly byPort = new Map<number, string>();

  constructor(private readonly ports: PortAllocator) {}

  /** The port endpoint `key` (of resource `owner`) should use, claiming it when needed. */
  async claim(key: string, owner: string, request: PortRequest): Promise<PortClaimResult> {
    const current = this.claims.get(key);
    if (request.fixed !== undefined) {
      if (current?.port === request.fixed) {
        current.fixed = true;
        return { ok: true, port: current.port };
      }
      const holder = this.byPort.get(request.fixed);
      if (holder !== undefined && holder !== key) {
        return { ok: false, reason: 'PortConflict', message: `port ${request.fixed} is already used by endpoint ${holder}` };
      }
      if (!this.ports.reserve(request.fixed)) {
        return {
          ok: false,
          reason: 'PortConflict',
          message: `port ${request.fixed} is already reserved by apphost for another endpoint or replica`,
        };
      }
      if (current) this.drop(key);
      this.record(key, { port: request.fixed, fixed: true, proxyless: request.proxyless, owner });
      return { ok: true, port: request.fixed };
    }
    if (current && !current.fixed && current.proxyless === request.proxyless) return { ok: true, port: current.port };
    if (current) this.drop(key);
    const remembered = request.remembered;
    if (remembered !== undefined && remembered > 0 && !this.byPort.has(remembered) && this.ports.reserve(remembered)) {
      this.record(key, { port: remembered, fixed: false, proxyless: request.proxyless, owner });
      return { ok: true, port: remembered };
    }
    try {
      const port = request.proxyless ? await this.ports.allocateInRange() : await this.ports.allocate();
      this.record(key, { port, fixed: false, proxyless: request.proxyless, owner });
      return { ok: true, port };
    } catch (err) {
      return { ok: false, reason: 'AllocationFailed', message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Release every claim of `owner` whose endpoint key is not in `keep`. */
  releaseOwner(owner: string, keep: ReadonlySet<string> = new Set()): void {
    for (const [key, claim] of [...this.claims]) if (claim.owner === owner && !keep.has(key)) this.drop(key);
  }

  release(key: string): void {
    this.drop(key);
  }

  portOf(key: string): number | undefined {
    return this.claims.get(key)?.port;
  }

  /** Release everything (on dispose). */
  clear(): void {
    for (const key of [...this.claims.keys()]) this.drop(key);
  }

  private record(key: string, claim: Claim): void {
    this.claims.set(key, claim);
    this.byPort.set(claim.port, key);
  }

  private drop(key: string): void {
    const claim = this.claims.get(key);
    if (!claim) return;
    this.claims.delete(key);
    if (this.byPort.get(claim.port) === key) this.byPort.delete(claim.port);
    this.ports.release(claim.port);
  }
}
