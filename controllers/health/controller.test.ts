import { afterEach, describe, expect, it } from 'vitest';
import type { Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import type { HttpProbeOptions, Prober, ProbeResult, TcpProbeOptions } from '../../src/platform/health/types.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { createHealthController } from './controller.ts';
import { probeTarget } from './probe-target.ts';

const V = 'apphost.dev/v1';
const OK: ProbeResult = { ok: true, message: 'ok', code: 'PROBE_OK' };
const REFUSED: ProbeResult = { ok: false, message: 'connect ECONNREFUSED', code: 'PROBE_REFUSED' };

/** A prober whose answer per port the test sets; records every call. */
function scriptedProber() {
  const answers = new Map<number, ProbeResult>();
  const calls: (TcpProbeOptions | HttpProbeOptions)[] = [];
  const prober: Prober = {
    async tcp(o) {
      calls.push(o);
      return answers.get(o.port) ?? REFUSED;
    },
    async http(o) {
      calls.push(o);
      return answers.get(Number(new URL(o.url).port)) ?? REFUSED;
    },
  };
  return { prober, answers, calls };
}

function resource(spec: Partial<ResourceSpec> = {}): Resource {
  return { apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'x' }, endpoints: [{ scheme: 'http', env: 'PORT' }], ...spec } };
}

function replica(state: 'Running' | 'Failed', port = 5001): Replica {
  return {
    apiVersion: V,
    kind: 'Replica',
    metadata: { name: 'api-0', namespace: NS },
    spec: { resource: 'api', index: 0, ports: [{ name: 'http', targetPort: port }] },
    status: { state, pid: 42, ports: [{ name: 'http', targetPort: port }] },
  };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('health controller', () => {
  let fx: ControllerFixture;
  /** Status is not taken on create (status subresource): write it like the processes controller would. */
  const createReplica = (rep: Replica) => {
    const created = fx.create({ ...rep, status: undefined });
    fx.store.update({ ...created, status: rep.status }, { subresource: 'status' });
  };
  afterEach(async () => {
    await fx?.dispose();
  });

  it('marks a running replica ready once its port accepts, not before, and only writes on change', async () => {
    const { prober, answers } = scriptedProber();
    fx = await createControllerFixture(createHealthController({ prober, startupIntervalMs: 5, intervalMs: 20, startupQuietMs: 0 }));
    fx.create(resource());
    createReplica(replica('Running'));
    await fx.settle(['api-0']);
    let rep = fx.store.get<Replica>('Replica', NS, 'api-0');
    expect(rep.status?.ready).not.toBe(true);

    await until(() => fx.enqueued.length > 0); // first probe answered (refused)
    await fx.settle(['api-0']);
    rep = fx.store.get<Replica>('Replica', NS, 'api-0');
    expect(rep.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PROBE_REFUSED' });

    const n = fx.enqueued.length;
    answers.set(5001, OK);
    await until(() => fx.enqueued.length > n);
    await fx.settle(['api-0']);
    await fx.assertSteady(['api-0']);
    rep = fx.store.get<Replica>('Replica', NS, 'api-0');
    expect(rep.status?.ready).toBe(true);
    expect(rep.status?.state).toBe('Running'); // other writers' fields kept
    expect(rep.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ProbeSucceeded' });

    // It leaves the rotation when it stops passing and comes back when it passes again.
    const m = fx.enqueued.length;
    answers.set(5001, REFUSED);
    await until(() => fx.enqueued.length > m);
    await fx.settle(['api-0']);
    expect(fx.store.get<Replica>('Replica', NS, 'api-0').status?.ready).toBe(false);
  });

  it('a replica that stops running is not ready and is not probed; one that never started writes nothing', async () => {
    const { prober, calls } = scriptedProber();
    fx = await createControllerFixture(createHealthController({ prober, startupIntervalMs: 5 }));
    fx.create(resource());
    createReplica(replica('Failed'));
    const before = fx.store.resourceVersion();
    await fx.settle(['api-0']);
    expect(fx.store.resourceVersion()).toBe(before);

    const rep = fx.store.get<Replica>('Replica', NS, 'api-0');
    fx.store.update({ ...rep, status: { ...rep.status, ready: true } }, { subresource: 'status' }); // was ready before
    await fx.settle(['api-0']);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toHaveLength(0);
    const st = fx.store.get<Replica>('Replica', NS, 'api-0').status;
    expect(st?.ready).toBe(false);
    expect(st?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NotRunning' });
  });

  it('stays quiet about failing probes while the app starts, then says why it is not ready', async () => {
    const { prober } = scriptedProber();
    fx = await createControllerFixture(createHealthController({ prober, startupIntervalMs: 5, startupQuietMs: 100 }));
    fx.create(resource());
    createReplica(replica('Running'));
    const before = fx.store.resourceVersion();
    await fx.settle(['api-0']);
    await new Promise((r) => setTimeout(r, 40));
    expect(fx.enqueued).toHaveLength(0);
    expect(fx.store.resourceVersion()).toBe(before);
    await until(() => fx.enqueued.length > 0);
    await fx.settle(['api-0']);
    expect(fx.store.get<Replica>('Replica', NS, 'api-0').status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PROBE_REFUSED' });
  });

  it('uses the http health check path on the named endpoint', async () => {
    const { prober, calls, answers } = scriptedProber();
    answers.set(5001, OK);
    fx = await createControllerFixture(createHealthController({ prober, startupIntervalMs: 5 }));
    fx.create(resource({ healthCheck: { endpoint: 'http', path: '/health' } }));
    createReplica(replica('Running'));
    await fx.reconcile('api-0');
    await until(() => fx.enqueued.length > 0);
    await fx.settle(['api-0']);
    expect((calls[0] as HttpProbeOptions).url).toBe('http://127.0.0.1:5001/health');
    expect(fx.store.get<Replica>('Replica', NS, 'api-0').status?.ready).toBe(true);
  });

  it('a resource without a TCP endpoint is ready while running', async () => {
    const { prober, calls } = scriptedProber();
    fx = await createControllerFixture(createHealthController({ prober }));
    fx.create(resource({ endpoints: [] }));
    createReplica(replica('Running'));
    await fx.settle(['api-0']);
    expect(calls).toHaveLength(0);
    expect(fx.store.get<Replica>('Replica', NS, 'api-0').status?.ready).toBe(true);
  });
});

describe('probeTarget', () => {
  it('prefers hostPort (containers) and skips UDP endpoints', () => {
    const res = resource({ endpoints: [{ name: 'dns', protocol: 'UDP' }, { name: 'web', scheme: 'http' }] });
    const rep = replica('Running');
    const withPorts: Replica = { ...rep, status: { ...rep.status, ports: [{ name: 'web', targetPort: 80, hostPort: 32000 }] } };
    expect(probeTarget(withPorts, res)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 32000, endpoint: 'web' });
  });
});
