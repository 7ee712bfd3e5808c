// Host ports: picking free ones, holding them while an endpoint uses them, and finding out who
// holds a port that is taken. Real implementation: port-allocator.ts; simulator: fake-port-allocator.ts.

export interface PortRange {
  min: number;
  max: number;
}

export interface PortHolder {
  pid: number;
  /** The holder's command line (arguments joined by spaces), or its name when that is unreadable. */
  command: string;
}

export interface PortAllocator {
  /**
   * A free port on 127.0.0.1 (and ::1 where the machine has it), chosen by the OS. Never one that is
   * reserved; the result is reserved until `release`.
   */
  allocate(): Promise<number>;
  /**
   * A free port in [min, max] (default: the proxyless range, 10000-32767 or
   * APPHOST_PROXYLESS_PORT_RANGE), reserved until `release`. Fails with PORT_RANGE_EXHAUSTED.
   */
  allocateInRange(min?: number, max?: number): Promise<number>;
  /** Marks a port as taken (e.g. a fixed or remembered port). Returns false if it already was. */
  reserve(port: number): boolean;
  release(port: number): void;
  isReserved(port: number): boolean;
  /**
   * Whether a listener could bind `port` now. With `address`, only there; otherwise on 127.0.0.1
   * and, where present, ::1. Ignores the reservation set.
   */
  isFree(port: number, address?: string): Promise<boolean>;
  /** Who listens on `port` (TCP), when that can be found (Linux /proc); undefined otherwise. */
  findHolder(port: number): Promise<PortHolder | undefined>;
  /** The range used by `allocateInRange` without arguments. */
  readonly proxylessRange: PortRange;
}

export interface PortAllocatorOptions {
  /** Environment to read APPHOST_PROXYLESS_PORT_RANGE from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Overrides the env variable. */
  proxylessRange?: PortRange;
  /** Attempts before giving up on `allocate` (a port the OS hands back may be reserved). Default 100. */
  maxAttempts?: number;
  /** Where `allocate` picks from; default: outside the kernel's ephemeral port range. */
  dynamicRange?: PortRange;
}
