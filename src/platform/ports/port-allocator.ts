// Real PortAllocator: random free ports outside the kernel's ephemeral range (checked by binding),
// a reservation set makes sure no port is handed out twice while in use, and ::1 is checked too
// where the machine has it (a `localhost` proxy listens on both loopbacks on the same port).
import { readFileSync } from 'node:fs';
import { hasIpv6Loopback, tryBind } from './bind-probe.ts';
import { PortError } from './errors.ts';
import { findPortHolder } from './find-port-holder.ts';
import { checkRange, dynamicRange, ephemeralRange, isValidPort, PROXYLESS_RANGE_ENV, proxylessRangeFromEnv } from './port-range.ts';
import type { PortAllocator, PortAllocatorOptions, PortRange } from './types.ts';

const MAX_RANGE_PROBES = 512;

function checkPort(port: number): void {
  if (!isValidPort(port)) throw new PortError('PORT_INVALID', `invalid port ${port}: expected an integer 1-65535`);
}

export function createPortAllocator(options: PortAllocatorOptions = {}): PortAllocator {
  const proxylessRange: PortRange = options.proxylessRange
    ? checkRange(options.proxylessRange.min, options.proxylessRange.max, 'proxyless port range')
    : proxylessRangeFromEnv(options.env ?? process.env);
  const maxAttempts = options.maxAttempts ?? 100;
  const dynamic: PortRange = options.dynamicRange ?? dynamicRange(ephemeralRange(readEphemeralRange));
  const reserved = new Set<number>();

  async function isFree(port: number, address?: string): Promise<boolean> {
    checkPort(port);
    if (address !== undefined) {
      const outcome = await tryBind(address, port);
      return outcome.kind === 'bound';
    }
    const v4 = await tryBind('127.0.0.1', port);
    if (v4.kind !== 'bound') return false;
    if (!(await hasIpv6Loopback())) return true;
    const v6 = await tryBind('::1', port);
    return v6.kind === 'bound' || v6.kind === 'no-address';
  }

  function reserve(port: number): boolean {
    checkPort(port);
    if (reserved.has(port)) return false;
    reserved.add(port);
    return true;
  }

  async function allocateInRange(min = proxylessRange.min, max = proxylessRange.max): Promise<number> {
    checkRange(min, max);
    const size = max - min + 1;
    const probes = Math.min(size, MAX_RANGE_PROBES);
    // Start at a random place and walk the range: spreads allocations, bounded in work.
    const offset = Math.floor(Math.random() * size);
    const stride = size > 1 ? coprimeStride(size) : 1;
    for (let i = 0; i < probes; i++) {
      const port = min + ((offset + i * stride) % size);
      if (!reserve(port)) continue;
      if (await isFree(port)) return port;
      reserved.delete(port);
    }
    throw new PortError(
      'PORT_RANGE_EXHAUSTED',
      `no free port in ${min}-${max} after ${probes} tries${min === proxylessRange.min && max === proxylessRange.max ? ` (set ${PROXYLESS_RANGE_ENV} to widen the range)` : ''}`,
    );
  }

  return {
    proxylessRange,

    async allocate(): Promise<number> {
      try {
        return await allocateInRange(dynamic.min, dynamic.max);
      } catch (err) {
        // A crowded dynamic range: let the OS choose (an ephemeral port) rather than fail.
        const ipv6 = await hasIpv6Loopback();
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          const outcome = await tryBind('127.0.0.1', 0);
          if (outcome.kind !== 'bound' || !reserve(outcome.port)) continue;
          const v6 = ipv6 ? await tryBind('::1', outcome.port) : undefined;
          if (v6 && v6.kind !== 'bound' && v6.kind !== 'no-address') {
            reserved.delete(outcome.port);
            continue;
          }
          return outcome.port;
        }
        throw new PortError('PORT_ALLOCATION_FAILED', `no free port on 127.0.0.1: ${(err as Error).message}`);
      }
    },

    allocateInRange,

    reserve,
    release(port: number): void {
      reserved.delete(port);
    },
    isReserved: (port) => reserved.has(port),
    isFree,
    findHolder: (port) => findPortHolder(port),
  };
}

function readEphemeralRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return undefined;
  }
}

/** A step that visits every port of a range of `size` exactly once (gcd(step, size) = 1). */
function coprimeStride(size: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.floor(size * 0.618) || 1;
  while (gcd(step, size) !== 1) step++;
  return step;
}
