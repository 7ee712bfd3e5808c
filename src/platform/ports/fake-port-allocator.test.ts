import { describe, expect, it } from 'vitest';
import { createFakePortAllocator } from './fake-port-allocator.ts';

describe('createFakePortAllocator', () => {
  it('allocates predictable ports, honours occupied ones and simulates failures', async () => {
    const ports = createFakePortAllocator({ firstPort: 5000, proxylessRange: { min: 100, max: 102 } });
    ports.occupy(5001, { pid: 42, command: 'nginx' });
    expect(await ports.allocate()).toBe(5000);
    expect(await ports.allocate()).toBe(5002);
    expect(await ports.isFree(5001)).toBe(false);
    expect(await ports.findHolder(5001)).toEqual({ pid: 42, command: 'nginx' });
    expect(await ports.allocateInRange()).toBe(100);
    ports.failNextAllocate('PORT_RANGE_EXHAUSTED');
    await expect(ports.allocateInRange()).rejects.toMatchObject({ code: 'PORT_RANGE_EXHAUSTED' });
    expect(await ports.allocateInRange()).toBe(101);
    expect(ports.reserved()).toEqual([100, 101, 5000, 5002]);
    ports.vacate(5001);
    expect(await ports.isFree(5001)).toBe(true);
  });
});
