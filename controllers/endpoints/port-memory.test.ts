import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Endpoint, type Resource } from '../../src/api/types.ts';
import { createFakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createEndpointsController } from './controller.ts';
import { createFilePortMemory } from './port-memory.ts';

const dirs: string[] = [];
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const resource = (name: string, lifetime?: 'Persistent'): Resource => ({
  apiVersion: API_VERSION,
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { executable: { command: 'pg' }, ...(lifetime ? { lifetime } : {}), endpoints: [{ name: 'tcp', scheme: 'tcp', isProxied: false }] },
});

async function run(memoryPath: string) {
  const f = await createControllerFixture({
    controllers: [createEndpointsController({ ports: createFakePortAllocator(), portMemory: createFilePortMemory(memoryPath) })],
  });
  fixtures.push(f);
  return f;
}

describe('port memory', () => {
  it("a persistent resource's proxyless port from the range is the same on the next run", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-ports-'));
    dirs.push(dir);
    const path = join(dir, '.apphost', 'ports.json');
    const first = await run(path);
    const pg = resource('pg', 'Persistent');
    const other = resource('other');
    await first.apply(other);
    await first.apply(pg);
    const port = first.store.get<Endpoint>('Endpoint', 'default', 'pg-tcp').status!.port!;
    expect(first.store.get<Endpoint>('Endpoint', 'default', 'other-tcp').status!.port).not.toBe(port);
    await first.stop();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ 'default/pg/tcp': port });

    // Next run: a fresh allocator would hand out the first port of the range; the memory wins.
    const second = await run(path);
    await second.apply(pg);
    expect(second.store.get<Endpoint>('Endpoint', 'default', 'pg-tcp').status!.port).toBe(port);
    await second.assertSteady();
  });
});
