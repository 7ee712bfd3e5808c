import { afterEach, describe, expect, it } from 'vitest';
import type { Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import { createFakeProcessRunner, type FakeProcessRunner } from '../../src/platform/process/index.ts';
import { createControllerFixture, NS, type ControllerFixture } from '../../test/integration/support/controller-fixture.ts';
import { BASE_DIR_ANNOTATION, createProcessesController, PROCESS_FINALIZER } from './controller.ts';

const V = 'apphost.dev/v1';

function resource(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return {
    apiVersion: V,
    kind: 'Resource',
    metadata: { name, namespace: NS, annotations: { [BASE_DIR_ANNOTATION]: '/srv/app' } },
    spec: { executable: { command: 'node', args: ['server.js', '--port=$(PORT)', '$$(PORT)'], workingDir: 'api' }, ...spec },
  };
}

function replica(res: Resource, index: number, templateHash = 'h1'): Replica {
  return {
    apiVersion: V,
    kind: 'Replica',
    metadata: { name: `${res.metadata.name}-${index}`, namespace: NS },
    spec: { resource: res.metadata.name, index, env: [{ name: 'PORT', value: String(5000 + index) }], ports: [{ name: 'http', targetPort: 5000 + index }], templateHash },
  };
}

describe('processes controller', () => {
  let fx: ControllerFixture;
  let runner: FakeProcessRunner;

  async function setup(): Promise<void> {
    runner = createFakeProcessRunner();
    fx = await createControllerFixture(
      createProcessesController({ runner, baseDir: '/work', gracePeriodMs: 50, restartBackoff: { baseMs: 30, maxMs: 200, resetAfterMs: 10_000 } }),
    );
  }
  const get = (name: string) => fx.store.get<Replica>('Replica', NS, name);

  afterEach(async () => {
    await fx?.dispose();
  });

  it('starts a process with the effective env, relative cwd and a finalizer, and reaches a steady state', async () => {
    await setup();
    const res = fx.create(resource('api'));
    fx.create(replica(res, 0));
    await fx.settle(['api-0']);
    await fx.assertSteady(['api-0']);

    expect(runner.starts()).toHaveLength(1);
    const started = runner.starts()[0]!;
    expect(started).toMatchObject({ id: 'default/api-0', command: 'node', args: ['server.js', '--port=5000', '$(PORT)'], cwd: '/srv/app/api' });
    expect(started.env).toMatchObject({ PORT: '5000', APPHOST_REPLICA: 'api-0', APPHOST_RESOURCE: 'api' });
    const rep = get('api-0');
    expect(rep.metadata.finalizers).toContain(PROCESS_FINALIZER);
    expect(rep.status).toMatchObject({ state: 'Running', pid: runner.all()[0]!.pid, restarts: 0, ports: [{ name: 'http', targetPort: 5000 }] });
    expect(rep.status?.env).toContainEqual({ name: 'PORT', value: '5000' });
    expect(rep.status?.conditions?.find((c) => c.type === 'Running')?.status).toBe('True');
  });

  it('restarts a crashed process after a backoff and counts restarts', async () => {
    await setup();
    const res = fx.create(resource('api'));
    fx.create(replica(res, 0));
    await fx.settle(['api-0']);
    const first = runner.all()[0]!;
    runner.simulateExit(first.pid, 3);
    await new Promise((r) => setImmediate(r));
    expect(fx.enqueued.map((k) => k.name)).toContain('api-0');

    const result = await fx.reconcile('api-0');
    expect(result?.requeueAfterMs).toBeGreaterThan(0);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(1000);
    expect(get('api-0').status).toMatchObject({ state: 'Failed', exitCode: 3 });
    expect(get('api-0').status?.conditions?.find((c) => c.type === 'Running')?.reason).toBe('BackOff');
    expect(runner.starts()).toHaveLength(1);

    await new Promise((r) => setTimeout(r, result!.requeueAfterMs! + 5));
    await fx.settle(['api-0']);
    expect(runner.starts()).toHaveLength(2);
    expect(get('api-0').status).toMatchObject({ state: 'Running', restarts: 1, pid: runner.all()[1]!.pid });
  });

  it('backs off exponentially on quick repeated failures', async () => {
    await setup();
    const res = fx.create(resource('api'));
    fx.create(replica(res, 0));
    await fx.settle(['api-0']);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      runner.simulateExit(runner.all().at(-1)!.pid, 1);
      await new Promise((r) => setImmediate(r));
      const r = await fx.reconcile('api-0');
      delays.push(r!.requeueAfterMs!);
      await new Promise((res2) => setTimeout(res2, r!.requeueAfterMs! + 5));
      await fx.reconcile('api-0');
    }
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
  });

  it('does not restart with restartPolicy Never, nor OnFailure after exit code 0', async () => {
    await setup();
    const never = fx.create(resource('job', { restartPolicy: 'Never' }));
    const onFailure = fx.create(resource('task', { restartPolicy: 'OnFailure' }));
    fx.create(replica(never, 0));
    fx.create(replica(onFailure, 0));
    await fx.settle(['job-0', 'task-0']);
    runner.simulateExit(runner.byId('default/job-0')!.pid, 1);
    runner.simulateExit(runner.byId('default/task-0')!.pid, 0);
    await new Promise((r) => setImmediate(r));
    await fx.settle(['job-0', 'task-0']);
    expect(await fx.reconcile('job-0')).toBeUndefined();
    expect(runner.starts()).toHaveLength(2);
    expect(get('job-0').status).toMatchObject({ state: 'Failed', exitCode: 1 });
    expect(get('task-0').status).toMatchObject({ state: 'Exited', exitCode: 0 });
    expect(get('task-0').status?.conditions?.find((c) => c.type === 'Running')?.reason).toBe('Completed');
  });

  it('restarts the process when spec.templateHash changes', async () => {
    await setup();
    const res = fx.create(resource('api'));
    fx.create(replica(res, 0, 'h1'));
    await fx.settle(['api-0']);
    const old = runner.all()[0]!;
    const rep = get('api-0');
    fx.store.update({ ...rep, spec: { ...rep.spec, templateHash: 'h2', env: [{ name: 'PORT', value: '6000' }] } });
    await fx.settle(['api-0']);
    expect(old.stopRequested).toBe(true);
    expect(runner.starts()).toHaveLength(2);
    expect(runner.starts()[1]!.env.PORT).toBe('6000');
    expect(get('api-0').status).toMatchObject({ state: 'Running', pid: runner.all()[1]!.pid, restarts: 0 });
  });

  it('stops the process before a deleted replica goes away', async () => {
    await setup();
    const res = fx.create(resource('api'));
    fx.create(replica(res, 0));
    await fx.settle(['api-0']);
    fx.store.delete('Replica', NS, 'api-0');
    expect(get('api-0').metadata.deletionTimestamp).toBeDefined();
    await fx.reconcile('api-0');
    expect(runner.all()[0]!.stopRequested).toBe(true);
    expect(fx.store.tryGet('Replica', NS, 'api-0')).toBeUndefined();
  });

  it('reports a command that cannot start, and leaves container replicas alone', async () => {
    await setup();
    const res = fx.create(resource('api'));
    const web = fx.create<Resource>({ ...resource('web'), spec: { container: { image: 'nginx' } } });
    fx.create(replica(res, 0));
    fx.create(replica(web, 0));
    runner.failNextStart('PROCESS_COMMAND_NOT_FOUND');
    await fx.reconcile('api-0');
    await new Promise((r) => setImmediate(r));
    await fx.reconcile('api-0');
    await fx.reconcile('web-0');
    const st = get('api-0').status!;
    expect(st.state).toBe('Failed');
    expect(st.message).toContain('command not found: node');
    expect(runner.starts().map((s) => s.id)).toEqual(['default/api-0']);
    expect(get('web-0').status).toBeUndefined();
  });

  it('stops every process on dispose', async () => {
    await setup();
    const res = fx.create(resource('api', { replicas: 2 }));
    fx.create(replica(res, 0));
    fx.create(replica(res, 1));
    await fx.settle(['api-0', 'api-1']);
    await fx.dispose();
    expect(runner.running()).toHaveLength(0);
    expect(runner.all().every((p) => p.stopRequested)).toBe(true);
  });
});
