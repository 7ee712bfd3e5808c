// Handle-engine specifics; the behaviour tests in tcp-proxy.test.ts run against both engines.
import dns from 'node:dns/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetProxyFactory } from './index.ts';
import { handleEngineAvailable, readBufferPoolSize } from './tcp-handle-proxy.ts';
import { closed, connect, readLine, roundTrip, startBackend } from '../../../test/support/net-backends.ts';
import { waitFor } from '../../../test/support/wait.ts';
import type { TestBackend } from '../../../test/support/net-backends.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('tcp proxy, handles engine', () => {
  it('is available on this Node and chosen by default', async () => {
    expect(handleEngineAvailable()).toBe(true);
    const p = await createNetProxyFactory().start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [] });
    cleanups.push(() => p.close());
    expect(p.engine).toBe('handles');
  });

  it('uses streams when asked, and refuses handles for a host-name listen address', async () => {
    const p = await createNetProxyFactory({ engine: 'streams' }).start({ listen: { address: '127.0.0.1', port: 0 }, protocol: 'TCP', backends: [] });
    cleanups.push(() => p.close());
    expect(p.engine).toBe('streams');
    const err = await createNetProxyFactory()
      .start({ listen: { address: 'example.invalid', port: 0 }, protocol: 'TCP', backends: [], engine: 'handles' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'InvalidOptions' });
  });

  it('returns read buffers to the pool when connections close', async () => {
    const a: TestBackend = await startBackend('a');
    cleanups.push(() => a.close());
    const p = await createNetProxyFactory().start({
      listen: { address: '127.0.0.1', port: 0 },
      protocol: 'TCP',
      backends: [{ name: 'a', address: '127.0.0.1', port: a.port }],
      engine: 'handles',
    });
    cleanups.push(() => p.close());
    for (let i = 0; i < 20; i++) {
      const s = await connect(p.port);
      expect(await readLine(s)).toBe('a');
      expect(await roundTrip(s, `n${i}`)).toBe(`n${i}`);
      s.end();
      await closed(s);
    }
    await waitFor('connections closed', () => p.stats().activeConnections === 0, 2000);
    // Sequential connections reuse the same two buffers instead of allocating new ones.
    await waitFor('buffers back in the pool', () => readBufferPoolSize() >= 2, 2000);
    expect(readBufferPoolSize()).toBeLessThanOrEqual(4);
  });

  it('connects to a backend given by host name', async () => {
    const { address } = await dns.lookup('localhost');
    const a = await startBackend('a', undefined, address);
    cleanups.push(() => a.close());
    const p = await createNetProxyFactory().start({
      listen: { address: '127.0.0.1', port: 0 },
      protocol: 'TCP',
      backends: [{ name: 'a', address: 'localhost', port: a.port }],
      engine: 'handles',
    });
    cleanups.push(() => p.close());
    for (let i = 0; i < 2; i++) {
      const s = await connect(p.port);
      cleanups.push(() => s.destroy());
      expect(await readLine(s)).toBe('a');
    }
    expect(p.stats().failedConnects).toBe(0);
  });
});
