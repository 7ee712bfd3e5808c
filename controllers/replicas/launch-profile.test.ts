// A .NET project in a manifest (spec.executable.launchProfile): its endpoints come from the launch
// profile, and each replica is told where to listen through ASPNETCORE_URLS.
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, type Endpoint, type Replica, type Resource } from '../../src/api/types.ts';
import { createFakePortAllocator } from '../../src/platform/ports/fake-port-allocator.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createEndpointsController } from '../endpoints/controller.ts';
import { createReplicasController } from './controller.ts';

const PROJECT = resolve(import.meta.dirname, '../../test/fixtures/dotnet/profiles');
const fixtures: ControllerFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
});

function project(profile: string): Resource {
  return {
    apiVersion: API_VERSION,
    kind: 'Resource',
    metadata: { name: 'orders', namespace: 'default' },
    spec: {
      executable: { command: 'dotnet', args: ['run'], workingDir: PROJECT, launchProfile: { name: profile } },
      env: [{ name: 'ASPNETCORE_ENVIRONMENT', value: 'Staging' }],
    },
  };
}

describe('replicas and endpoints of a launch-profile project', () => {
  it('derives the endpoints from applicationUrl and injects ASPNETCORE_URLS with the target ports', async () => {
    const ports = createFakePortAllocator();
    const f = await createControllerFixture({ controllers: [createEndpointsController({ ports }), createReplicasController({ ports })] });
    fixtures.push(f);
    await f.apply(project('https'));

    const endpoints = f.store.list<Endpoint>('Endpoint').items.map((e) => [e.metadata.name, e.spec.scheme, e.spec.port]);
    expect(endpoints.sort()).toEqual([
      ['orders-http', 'http', 5000],
      ['orders-https', 'https', 7001],
      ['orders-https2', 'https', 7002],
    ]);
    const replica = f.store.get<Replica>('Replica', 'default', 'orders-0');
    const env = Object.fromEntries((replica.spec.env ?? []).map((e) => [e.name, e.value]));
    const target = (name: string) => replica.spec.ports!.find((p) => p.name === name)!.targetPort;
    expect(env.ASPNETCORE_URLS).toBe(`https://localhost:${target('https')};https://localhost:${target('https2')};http://localhost:${target('http')}`);
    // The profile's environmentVariables are defaults: the resource's own env wins.
    expect(env.ASPNETCORE_ENVIRONMENT).toBe('Staging');
    await f.assertSteady();
  });

  it('a resource without a launch profile is untouched by it', async () => {
    const ports = createFakePortAllocator();
    const f = await createControllerFixture({ controllers: [createEndpointsController({ ports }), createReplicasController({ ports })] });
    fixtures.push(f);
    const plain = project('https');
    plain.spec.executable = { command: 'node', args: ['x.js'], workingDir: join(PROJECT, '..') };
    await f.apply(plain);
    expect(f.store.list('Endpoint').items).toEqual([]);
    const env = f.store.get<Replica>('Replica', 'default', 'orders-0').spec.env ?? [];
    expect(env.find((e) => e.name === 'ASPNETCORE_URLS')).toBeUndefined();
  });
});
