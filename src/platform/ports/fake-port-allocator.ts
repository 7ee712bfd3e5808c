// In-memory PortAllocator for controller tests: ports are numbers in a set; tests mark ports as
// taken by someone else (`occupy`) and make the next allocation fail (`failNextAllocate`).
import { PortError } from './errors.ts';
import { checkRange, DEFAULT_PROXYLESS_RANGE, isValidPort } from './port-range.ts';
import type { PortAllocator, PortHolder, PortRange } from './types.ts';

export interface FakePortAllocator extends PortAllocator {
  /** Someone outside apphost listens on `port`: isFree false, findHolder returns `holder`. */
  occupy(port: number, holder?: PortHolder): void;
  vacate(port: number): void;
  /** The next allocate()/allocateInRange() rejects with this code. */
  failNextAllocate(code?: 'PORT_ALLOCATION_FAILED' | 'PORT_RANGE_EXHAUSTED'): void;
  reserved(): number[];
}

export interface FakePortAllocatorOptions {
  /** allocate() hands out ports counting up from here. Default 40 000. */
  firstPort?: number;
  proxylessRange?: PortRange;
}

export function createFakePortAllocator(options: FakePortAllocatorOptions = {}): FakePortAllocator {
  const proxylessRange = options.proxylessRange ?? { ...DEFAULT_PROXYLESS_RANGE };
  let next = options.firstPort ?? 40_000;
  const reservedSet = new Set<number>();
  const occupied = new Map<number, PortHolder | undefined>();
  let failure: 'PORT_ALLOCATION_FAILED' | 'PORT_RANGE_EXHAUSTED' | undefined;

  function check(port: number): void {
    if (!isValidPort(port)) throw new PortError('PORT_INVALID', `invalid port ${port}: expected an integer 1-65535`);
  }
  function takeFailure(): void {
    if (!failure) return;
    const code = failure;
    failure = undefined;
    throw new PortError(code, `simulated ${code}`);
  }
  const available = (p: number) => !reservedSet.has(p) && !occupied.has(p);

  return {
    proxylessRange,
    async allocate() {
      takeFailure();
      while (!available(next)) next++;
      reservedSet.add(next);
      return next++;
    },
    async allocateInRange(min = proxylessRange.min, max = proxylessRange.max) {
      takeFailure();
      checkRange(min, max);
      for (let p = min; p <= max; p++) {
        if (available(p)) {
          reservedSet.add(p);
          return p;
        }
      }
      throw new PortError('PORT_RANGE_EXHAUSTED', `no free port in ${min}-${max}`);
    },
    reserve(port) {
      check(port);
      if (reservedSet.has(port)) return false;
      reservedSet.add(port);
      return true;
    },
    release: (port) => void reservedSet.delete(port),
    isReserved: (port) => reservedSet.has(port),
    async isFree(port) {
      check(port);
      return !occupied.has(port);
    },
    async findHolder(port) {
      return occupied.get(port);
    },
    occupy(port, holder) {
      occupied.set(port, holder);
    },
    vacate(port) {
      occupied.delete(port);
    },
    failNextAllocate(code = 'PORT_ALLOCATION_FAILED') {
      failure = code;
    },
    reserved: () => [...reservedSet].sort((a, b) => a - b),
  };
}
