import { describe, expect, it } from 'vitest';
import type { Replica, Resource } from '../../src/api/types.ts';
import { desiredContainer, imageReference } from './desired.ts';
import { containerName, lifecycleKey, networkRuntimeName } from './naming.ts';

const app = { name: 'My Shop', projectHash: 'abc123', instanceId: '4242-99' };

describe('names', () => {
  it('names session containers randomly and persistent ones from the project', () => {
    expect(containerName({ resource: 'cache', lifetime: 'Session', app, random: () => 'deadbeef' })).toBe('cache-deadbeef');
    const p1 = containerName({ resource: 'cache', lifetime: 'Persistent', app });
    expect(p1).toMatch(/^cache-[0-9a-f]{8}$/);
    expect(containerName({ resource: 'cache', lifetime: 'Persistent', app })).toBe(p1);
    expect(containerName({ resource: 'cache', lifetime: 'Persistent', app: { ...app, projectHash: 'other' } })).not.toBe(p1);
    expect(networkRuntimeName(app, 'Session')).toBe('apphost-session-network-4242-99-my-shop');
    expect(networkRuntimeName(app, 'Persistent')).toBe('apphost-persistent-network-abc123-my-shop');
    expect(imageReference('redis', '7')).toBe('redis:7');
    expect(imageReference('redis@sha256:00', '7')).toBe('redis@sha256:00');
    expect(imageReference('redis')).toBe('redis');
  });

  it('computes a lifecycle key independent of property order and sensitive to every part', () => {
    const base = { image: 'redis:7', env: { A: '1', B: '2' }, ports: [{ containerPort: 6379 }], network: 'n' };
    const k = lifecycleKey(base);
    expect(lifecycleKey({ network: 'n', ports: [{ containerPort: 6379 }], env: { B: '2', A: '1' }, image: 'redis:7' })).toBe(k);
    expect(lifecycleKey({ ...base, env: { A: '1', B: '3' } })).not.toBe(k);
    expect(lifecycleKey({ ...base, args: ['--x'] })).not.toBe(k);
    expect(lifecycleKey({ ...base, ports: [{ containerPort: 6379, hostPort: 6379 }] })).not.toBe(k);
    expect(lifecycleKey({ ...base, aliases: ['cache'] })).not.toBe(k);
  });
});

describe('desiredContainer', () => {
  const res: Resource = {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name: 'cache', namespace: 'default', annotations: { 'apphost.dev/base-dir': '/srv/app' } },
    spec: {
      lifetime: 'Persistent',
      container: { image: 'redis', tag: '7', command: 'redis-server', args: ['--save', ''], networkAliases: ['redis-primary'], volumes: [{ source: './data', target: '/data' }, { source: 'named', target: '/named', readOnly: true }] },
      endpoints: [{ name: 'tcp', targetPort: 6379 }],
    },
  };
  const rep: Replica = { apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name: 'cache-0', namespace: 'default' }, spec: { resource: 'cache', index: 0, env: [{ name: 'X', value: '1' }], ports: [{ name: 'tcp', targetPort: 6379 }] } };
  const build = (labels: Record<string, string>) =>
    desiredContainer({ rep, res, endpoints: new Map(), network: { runtimeName: 'net', gateway: '172.30.0.1' }, baseDir: '/ignored', labels });

  it('maps the resource to run options: image:tag, entrypoint, args, ports, volumes, aliases, tunnel host', () => {
    const r = build({});
    if (!r.ok) throw new Error(r.message);
    const o = r.desired.options;
    expect(o).toMatchObject({ image: 'redis:7', command: 'redis-server', args: ['--save', ''] });
    expect(o.ports).toEqual([{ containerPort: 6379, protocol: 'tcp', hostPort: 6379, hostIp: '127.0.0.1' }]);
    expect(o.volumes).toEqual([
      { target: '/data', type: 'bind', source: '/srv/app/data' },
      { target: '/named', type: 'volume', source: 'named', readOnly: true },
    ]);
    expect(o.network).toEqual({ network: 'net', aliases: ['cache', 'redis-primary'] });
    expect(o.extraHosts).toEqual({ 'host.apphost.internal': '172.30.0.1' });
    expect(o.env).toEqual({ X: '1', APPHOST_RESOURCE: 'cache', APPHOST_REPLICA: 'cache-0' });
    expect(o.labels).toMatchObject({ 'apphost.dev/lifetime': 'Persistent', 'apphost.dev/lifecycle-key': r.desired.key });
  });

  it('keeps the lifecycle key free of per-run values (instance labels)', () => {
    const a = build({ 'apphost.dev/instance': 'one', 'apphost.dev/pid': '1' });
    const b = build({ 'apphost.dev/instance': 'two', 'apphost.dev/pid': '2' });
    expect(a.ok && b.ok && a.desired.key === b.desired.key).toBe(true);
  });
});
