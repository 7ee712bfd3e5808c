// An injectable clock: the time of day and timers. The system clock for production, a fake clock
// that only moves when told (`advance`) for deterministic tests.

export type TimerHandle = unknown;

export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FakeClock extends Clock {
  /** Move time forward, firing every timer that falls due, in order. */
  advance(ms: number): void;
  /** Number of timers not yet fired or cleared. */
  pendingTimers(): number;
}

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

export function createFakeClock(options: { start?: Date | string } = {}): FakeClock {
  let now = new Date(options.start ?? '2026-01-01T00:00:00.000Z').getTime();
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();

  return {
    now: () => new Date(now),
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { id, due: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        let next: FakeTimer | undefined;
        for (const t of timers.values()) {
          if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
        }
        if (!next) break;
        timers.delete(next.id);
        now = Math.max(now, next.due);
        next.fn();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}
