// The endpoints and replicas controllers with the real PortAllocator: real free ports, and a real
// listener holding a fixed proxyless port (found through /proc on Linux).
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Endpoint, type Replica, type Resource } from '../../src/api/types.ts';
import { createPortAllocator } from '../../src/platform/ports/index.ts';
import { getCondition } from '../../src/runtime/conditions.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createReplicasController } from '../replicas/controller.ts';
import { createEndpointsController } from './controller.ts';

const NS = 'default';
const fixtures: ControllerFixture[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}

async function setup() {
  const ports = createPortAllocator();
  const f = await createControllerFixture({
    controllers: [createEndpointsController({ ports, retryMs: 1000 }), createReplicasController({ ports })],
  });
  fixtures.push(f);
  return { f, ports };
}

const resource = (name: string, spec: Resource['spec']): Resource => ({
  apiVersion: API_VERSION,
  kind: 'Resource',
  metadata: { name, namespace: NS },
  spec: { executable: { command: 'node' }, ...spec },
});

describe('endpoints with the real PortAllocator', () => {
  it('random proxy and target ports are distinct, free and reserved', async () => {
    const { f, ports } = await setup();
    await f.apply(resource('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] }));
    const proxyPort = f.store.get<Endpoint>('Endpoint', NS, 'api-http').status!.port!;
    const targets = ['api-0', 'api-1'].map((n) => f.store.get<Replica>('Replica', NS, n).spec.ports![0]!.targetPort);
    expect(new Set([proxyPort, ...targets]).size).toBe(3);
    for (const p of [proxyPort, ...targets]) {
      expect(ports.isReserved(p)).toBe(true);
      expect(await ports.isFree(p)).toBe(true);
    }
    await f.assertSteady();
  });

  it('a fixed proxyless port held by a real listener is PortInUse naming this process, until it is closed', async () => {
    const { f } = await setup();
    const { server, port } = await listen();
    await f.apply(resource('db', { endpoints: [{ name: 'tcp', scheme: 'tcp', port, isProxied: false }] }));
    const c = getCondition(f.store.get<Endpoint>('Endpoint', NS, 'db-tcp').status?.conditions, 'PortAllocated');
    expect(c).toMatchObject({ status: 'False', reason: 'PortInUse' });
    if (process.platform === 'linux') expect(c?.message).toContain(`held by pid ${process.pid}`);
    expect(f.store.get<Resource>('Resource', NS, 'db').status?.phase).toBe('Degraded');
    await new Promise((r) => server.close(r));
    await f.advance(1000);
    expect(getCondition(f.store.get<Endpoint>('Endpoint', NS, 'db-tcp').status?.conditions, 'PortAllocated')).toMatchObject({
      status: 'True',
    });
  });
});
