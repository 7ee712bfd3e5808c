import { afterEach, describe, expect, it } from 'vitest';
import type { Replica, ReplicaStatus, Resource, ResourceSpec } from '../../src/api/types.ts';
import { createFakeProber, tcpTarget, type FakeProber } from '../../src/platform/health/index.ts';
import { createFakeClock, type FakeClock } from '../../src/runtime/clock.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { createHealthController, type HealthControllerOptions } from './controller.ts';
import { probeTarget } from './probe-target.ts';

const V = 'apphost.dev/v1';
const NS = 'default';
const TARGET = tcpTarget('127.0.0.1', 5001);

function resource(spec: Partial<ResourceSpec> = {}): Resource {
  return { apiVersion: V, kind: 'Resource', metadata: { name: 'api', namespace: NS }, spec: { executable: { command: 'x' }, endpoints: [{ scheme: 'http', env: 'PORT' }], ...spec } };
}

const replica = (): Replica => ({
  apiVersion: V,
  kind: 'Replica',
  metadata: { name: 'api-0', namespace: NS },
  spec: { resource: 'api', index: 0, ports: [{ name: 'http', targetPort: 5001 }] },
});
const RUNNING: ReplicaStatus = { state: 'Running', pid: 42, ports: [{ name: 'http', targetPort: 5001 }] };

describe('health controller', () => {
  let fx: ControllerFixture;
  let prober: FakeProber;
  let clock: FakeClock;

  async function setup(options: Partial<HealthControllerOptions> = {}, spec: Partial<ResourceSpec> = {}) {
    clock = createFakeClock();
    prober = createFakeProber();
    fx = await createControllerFixture({
      clock,
      controllers: [createHealthController({ prober, clock, startupIntervalMs: 50, intervalMs: 1000, ...options })],
    });
    await fx.apply(resource(spec));
    await fx.apply(replica());
  }
  /** Status is not taken on create (status subresource): write it as the processes controller would. */
  const setStatus = async (status: ReplicaStatus) => {
    const rep = fx.store.get<Replica>('Replica', NS, 'api-0');
    fx.store.update({ ...rep, status: { ...rep.status, ...status } }, { subresource: 'status' });
    await fx.settle();
  };
  const status = () => fx.store.get<Replica>('Replica', NS, 'api-0').status;
  const ready = () => status()?.conditions?.find((c) => c.type === 'Ready');

  afterEach(async () => {
    await fx?.stop();
  });

  it('ready once the port accepts, not before; leaves and rejoins; steady', async () => {
    await setup({ startupQuietMs: 0 });
    await setStatus(RUNNING);
    await fx.advance(100);
    expect(status()?.ready).toBe(false);
    expect(ready()).toMatchObject({ status: 'False', reason: 'PROBE_REFUSED' });

    prober.set(TARGET, true);
    await fx.advance(50);
    expect(status()?.ready).toBe(true);
    expect(status()?.state).toBe('Running'); // other writers' fields kept
    expect(ready()).toMatchObject({ status: 'True', reason: 'ProbeSucceeded' });
    await fx.assertSteady();

    prober.set(TARGET, false);
    await fx.advance(1000);
    expect(status()?.ready).toBe(false);
    prober.set(TARGET, true);
    await fx.advance(1000);
    expect(status()?.ready).toBe(true);
  });

  it('a stopped process (SIGSTOP) is not ready at the next probe even though its port accepts', async () => {
    await setup({ startupQuietMs: 0 });
    prober.set(TARGET, true);
    await setStatus(RUNNING);
    await fx.advance(100);
    expect(status()?.ready).toBe(true);
    prober.set('pid://42', { ok: false, code: 'PROBE_PROCESS_STOPPED', message: 'pid 42 is stopped (state T): it cannot answer' });
    await fx.advance(1000);
    expect(status()?.ready).toBe(false);
    expect(ready()).toMatchObject({ status: 'False', reason: 'PROBE_PROCESS_STOPPED', message: expect.stringContaining('pid 42 is stopped') });
    prober.set('pid://42', true);
    await fx.advance(1000);
    expect(status()?.ready).toBe(true);
  });

  it('probes fast until first ready, then once per interval', async () => {
    await setup();
    await setStatus(RUNNING);
    // A probe answers asynchronously and then schedules the next: move the clock in small steps.
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t += 50) await fx.advance(50);
    };
    await run(500);
    expect(prober.calls().length).toBeGreaterThanOrEqual(9); // every 50 ms
    prober.set(TARGET, true);
    await run(100);
    const n = prober.calls().length;
    await run(3000);
    expect(prober.calls().length - n).toBeLessThanOrEqual(4); // every 1 s now
    expect(prober.calls().length - n).toBeGreaterThanOrEqual(2);
  });

  it('stays quiet about failing probes while the app starts, then says why it is not ready', async () => {
    await setup({ startupQuietMs: 1000 });
    await setStatus(RUNNING);
    await fx.advance(500);
    expect(ready()).toBeUndefined();
    await fx.advance(600);
    expect(ready()).toMatchObject({ status: 'False', reason: 'PROBE_REFUSED' });
  });

  it('a replica that never started gets nothing written; one that stops running is not ready and not probed', async () => {
    await setup();
    await setStatus({ state: 'Failed' });
    expect(ready()).toBeUndefined();
    await setStatus({ ...RUNNING });
    prober.set(TARGET, true);
    await fx.advance(100);
    expect(status()?.ready).toBe(true);
    await setStatus({ state: 'Failed', pid: undefined });
    const calls = prober.calls().length;
    await fx.advance(3000);
    expect(prober.calls().length).toBe(calls);
    expect(status()?.ready).toBe(false);
    expect(ready()).toMatchObject({ status: 'False', reason: 'NotRunning' });
  });

  it('uses the http health check path on the named endpoint', async () => {
    await setup({}, { healthCheck: { endpoint: 'http', path: '/health' } });
    prober.set('http://127.0.0.1:5001/health', true);
    await setStatus(RUNNING);
    await fx.advance(50);
    expect(prober.calls()[0]).toBe('http://127.0.0.1:5001/health');
    expect(status()?.ready).toBe(true);
  });

  it('a resource without a TCP endpoint is ready while running', async () => {
    await setup({}, { endpoints: [] });
    await setStatus(RUNNING);
    expect(prober.calls()).toHaveLength(0);
    expect(status()?.ready).toBe(true);
  });
});

describe('probeTarget', () => {
  it('prefers hostPort (containers) and skips UDP endpoints', () => {
    const res = resource({ endpoints: [{ name: 'dns', protocol: 'UDP' }, { name: 'web', scheme: 'http' }] });
    const rep: Replica = { ...replica(), status: { ...RUNNING, ports: [{ name: 'web', targetPort: 80, hostPort: 32000 }] } };
    expect(probeTarget(rep, res)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 32000, endpoint: 'web' });
  });
});
