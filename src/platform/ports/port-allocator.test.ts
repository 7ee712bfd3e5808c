import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hasIpv6Loopback } from './bind-probe.ts';
import { isPortError } from './errors.ts';
import { createPortAllocator } from './port-allocator.ts';
import { dynamicRange, ephemeralRange, parsePortRange, proxylessRangeFromEnv } from './port-range.ts';

const servers: Server[] = [];

function listen(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port }, () => {
      servers.push(server);
      resolve((server.address() as { port: number }).port);
    });
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('createPortAllocator (real sockets)', () => {
  it('hands out 200 distinct, reserved, bindable ports under concurrency', async () => {
    const ports = createPortAllocator();
    const got = await Promise.all(Array.from({ length: 200 }, () => ports.allocate()));
    expect(new Set(got).size).toBe(200);
    for (const p of got) {
      expect(p).toBeGreaterThan(0);
      expect(ports.isReserved(p)).toBe(true);
    }
    // A sample really is bindable on 127.0.0.1.
    for (const p of got.slice(0, 10)) await expect(listen('127.0.0.1', p)).resolves.toBe(p);
    ports.release(got[0]!);
    expect(ports.isReserved(got[0]!)).toBe(false);
  });

  it('reserve() reports whether the port was already taken', () => {
    const ports = createPortAllocator();
    expect(ports.reserve(45_678)).toBe(true);
    expect(ports.reserve(45_678)).toBe(false);
    ports.release(45_678);
    expect(ports.reserve(45_678)).toBe(true);
    expect(() => ports.reserve(70_000)).toThrow(expect.objectContaining({ code: 'PORT_INVALID' }));
  });

  it('isFree is false while something listens on 127.0.0.1 or 0.0.0.0, true after', async () => {
    const ports = createPortAllocator();
    const port = await listen('127.0.0.1');
    expect(await ports.isFree(port)).toBe(false);
    expect(await ports.isFree(port, '127.0.0.1')).toBe(false);
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    expect(await ports.isFree(port)).toBe(true);

    const any = await listen('0.0.0.0');
    expect(await ports.isFree(any)).toBe(false);
  });

  it('isFree checks ::1 too where the machine has it', async (ctx) => {
    if (!(await hasIpv6Loopback())) ctx.skip();
    const ports = createPortAllocator();
    const port = await listen('::1');
    expect(await ports.isFree(port, '127.0.0.1')).toBe(true);
    expect(await ports.isFree(port)).toBe(false);
  });

  it('allocateInRange returns a free port inside the range and skips taken ones', async () => {
    const ports = createPortAllocator();
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const held: number[] = [];
    for (const p of [base, base + 1]) {
      try {
        held.push(await listen('127.0.0.1', p));
      } catch {
        held.push(p); // EADDRINUSE: someone else holds it, which is just as good
      }
    }
    ports.reserve(base + 2);
    const got = await ports.allocateInRange(base, base + 5);
    expect(got).toBeGreaterThanOrEqual(base + 3);
    expect(got).toBeLessThanOrEqual(base + 5);
    expect(ports.isReserved(got)).toBe(true);
    expect(held).toHaveLength(2);
  });

  it('allocateInRange fails with PORT_RANGE_EXHAUSTED when every port is taken', async () => {
    const ports = createPortAllocator();
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    ports.reserve(base);
    ports.reserve(base + 1);
    await expect(ports.allocateInRange(base, base + 1)).rejects.toSatisfy((e) => isPortError(e, 'PORT_RANGE_EXHAUSTED'));
    await expect(ports.allocateInRange(base + 1, base)).rejects.toSatisfy((e) => isPortError(e, 'PORT_RANGE_INVALID'));
  });

  it('uses the proxyless range from APPHOST_PROXYLESS_PORT_RANGE, default 10000-32767', async () => {
    expect(createPortAllocator({ env: {} }).proxylessRange).toEqual({ min: 10_000, max: 32_767 });
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = createPortAllocator({ env: { APPHOST_PROXYLESS_PORT_RANGE: `${base}-${base + 50}` } });
    expect(ports.proxylessRange).toEqual({ min: base, max: base + 50 });
    const got = await ports.allocateInRange();
    expect(got).toBeGreaterThanOrEqual(base);
    expect(got).toBeLessThanOrEqual(base + 50);
    expect(() => createPortAllocator({ env: { APPHOST_PROXYLESS_PORT_RANGE: 'lots' } })).toThrow(
      expect.objectContaining({ code: 'PORT_RANGE_INVALID' }),
    );
  });
});

describe('dynamic ports stay out of the ephemeral range', () => {
  it('allocate() never returns a port the kernel would hand to an outgoing connection', async () => {
    const ephemeral = ephemeralRange(() => {
      try {
        return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
      } catch {
        return undefined;
      }
    });
    const allocator = createPortAllocator();
    const ports = await Promise.all(Array.from({ length: 50 }, () => allocator.allocate()));
    for (const port of ports) expect(port < ephemeral.min || port > ephemeral.max, `${port}`).toBe(true);
    expect(new Set(ports).size).toBe(50);
  });

  it('reads the kernel range and picks the larger side outside it', () => {
    expect(ephemeralRange(() => '32768\t60999\n')).toEqual({ min: 32768, max: 60999 });
    expect(ephemeralRange(() => undefined)).toEqual({ min: 32768, max: 60999 });
    expect(ephemeralRange(() => 'garbage')).toEqual({ min: 32768, max: 60999 });
    expect(dynamicRange({ min: 32768, max: 60999 })).toEqual({ min: 61000, max: 65535 });
    expect(dynamicRange({ min: 49152, max: 65535 })).toEqual({ min: 32768, max: 49151 });
  });
});

describe('port ranges', () => {
  it('parses MIN-MAX and rejects nonsense with PORT_RANGE_INVALID', () => {
    expect(parsePortRange(' 1000 - 2000 ')).toEqual({ min: 1000, max: 2000 });
    for (const bad of ['2000-1000', '0-10', '1-70000', '10000', 'a-b']) {
      expect(() => parsePortRange(bad)).toThrow(expect.objectContaining({ code: 'PORT_RANGE_INVALID' }));
    }
    expect(proxylessRangeFromEnv({ APPHOST_PROXYLESS_PORT_RANGE: '' })).toEqual({ min: 10_000, max: 32_767 });
  });
});
