import { afterEach, describe, expect, it } from 'vitest';
import type { Replica, Resource, ResourceSpec } from '../../src/api/types.ts';
import { createFakeProcessRunner, type FakeProcessRunner } from '../../src/platform/process/index.ts';
import { createFakeClock, type FakeClock } from '../../src/runtime/clock.ts';
import { createControllerFixture, type ControllerFixture } from '../../test/support/controller-fixture.ts';
import { BASE_DIR_ANNOTATION } from '../../src/api/annotations.ts';
import { createProcessesController, PROCESS_FINALIZER } from './controller.ts';

const V = 'apphost.dev/v1';
const NS = 'default';

function resource(name: string, spec: Partial<ResourceSpec> = {}): Resource {
  return {
    apiVersion: V,
    kind: 'Resource',
    metadata: { name, namespace: NS, annotations: { [BASE_DIR_ANNOTATION]: '/srv/app' } },
    spec: { executable: { command: 'node', args: ['server.js', '--port=$(PORT)', '$$(PORT)'], workingDir: 'api' }, ...spec },
  };
}

function replica(res: string, index: number, templateHash = 'h1'): Replica {
  return {
    apiVersion: V,
    kind: 'Replica',
    metadata: { name: `${res}-${index}`, namespace: NS },
    spec: { resource: res, index, env: [{ name: 'PORT', value: String(5000 + index) }], ports: [{ name: 'http', targetPort: 5000 + index }], templateHash },
  };
}

describe('processes controller', () => {
  let fx: ControllerFixture;
  let runner: FakeProcessRunner;
  let clock: FakeClock;

  async function setup(): Promise<void> {
    clock = createFakeClock();
    runner = createFakeProcessRunner({ now: () => clock.now() });
    fx = await createControllerFixture({
      clock,
      controllers: [createProcessesController({ runner, baseDir: '/work', gracePeriodMs: 50, clock })],
    });
  }
  const get = (name: string) => fx.store.get<Replica>('Replica', NS, name);
  const running = (name: string) => get(name).status?.conditions?.find((c) => c.type === 'Running');

  afterEach(async () => {
    await fx?.stop();
  });

  it('starts a process with the effective env, $(VAR) args, relative cwd and a finalizer; steady', async () => {
    await setup();
    await fx.apply(resource('api'));
    await fx.apply(replica('api', 0));
    await fx.assertSteady();

    expect(runner.starts()).toHaveLength(1);
    const started = runner.starts()[0]!;
    expect(started).toMatchObject({ id: 'default/api-0', command: 'node', args: ['server.js', '--port=5000', '$(PORT)'], cwd: '/srv/app/api' });
    expect(started.env).toMatchObject({ PORT: '5000', APPHOST_REPLICA: 'api-0', APPHOST_RESOURCE: 'api' });
    const rep = get('api-0');
    expect(rep.metadata.finalizers).toContain(PROCESS_FINALIZER);
    expect(rep.status).toMatchObject({ state: 'Running', pid: runner.all()[0]!.pid, restarts: 0, ports: [{ name: 'http', targetPort: 5000 }] });
    expect(rep.status?.env).toContainEqual({ name: 'PORT', value: '5000' });
    expect(running('api-0')?.status).toBe('True');
    expect(fx.errors()).toEqual([]);
  });

  it('restarts a crashed process after a backoff (first retry <= 1 s) and counts restarts', async () => {
    await setup();
    await fx.apply(resource('api'));
    await fx.apply(replica('api', 0));
    runner.simulateExit(runner.all()[0]!.pid, 3);
    await fx.settle();
    expect(get('api-0').status).toMatchObject({ state: 'Failed', exitCode: 3 });
    // Nothing runs: no pid (the old one is dead, or someone else's by now).
    expect(get('api-0').status?.pid).toBeUndefined();
    expect(running('api-0')?.reason).toBe('BackOff');
    expect(runner.starts()).toHaveLength(1);

    await fx.advance(1000);
    expect(runner.starts()).toHaveLength(2);
    expect(get('api-0').status).toMatchObject({ state: 'Running', restarts: 1, pid: runner.all()[1]!.pid, message: 'restarted; last run: exited with code 3' });
    await fx.assertSteady();
  });

  it('backs off exponentially on quick repeated failures, capped, and resets after 10 s of running', async () => {
    await setup();
    await fx.apply(resource('api'));
    await fx.apply(replica('api', 0));
    /** Crash the newest process now, then return how long until the next start. */
    const crashAndTimeRestart = async (): Promise<number> => {
      const n = runner.starts().length;
      runner.simulateExit(runner.all().at(-1)!.pid, 1);
      await fx.settle();
      let waited = 0;
      while (runner.starts().length === n && waited < 60_000) {
        await fx.advance(50);
        waited += 50;
      }
      return waited;
    };
    const delays = [await crashAndTimeRestart(), await crashAndTimeRestart(), await crashAndTimeRestart()];
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);
    for (let i = 0; i < 6; i++) await crashAndTimeRestart();
    expect(await crashAndTimeRestart()).toBeLessThanOrEqual(30_000);

    await fx.advance(10_000); // a run of 10 s resets the backoff
    expect(await crashAndTimeRestart()).toBe(delays[0]);
  });

  it('does not restart with restartPolicy Never, nor OnFailure after exit code 0', async () => {
    await setup();
    await fx.apply(resource('job', { restartPolicy: 'Never' }));
    await fx.apply(resource('task', { restartPolicy: 'OnFailure' }));
    await fx.apply(replica('job', 0));
    await fx.apply(replica('task', 0));
    runner.simulateExit(runner.byId('default/job-0')!.pid, 1);
    runner.simulateExit(runner.byId('default/task-0')!.pid, 0);
    await fx.advance(60_000);
    expect(runner.starts()).toHaveLength(2);
    expect(get('job-0').status).toMatchObject({ state: 'Failed', exitCode: 1 });
    expect(get('task-0').status).toMatchObject({ state: 'Exited', exitCode: 0 });
    expect(running('task-0')?.reason).toBe('Completed');
  });

  it('restarts the process when spec.templateHash changes (not counted as a restart)', async () => {
    await setup();
    await fx.apply(resource('api'));
    await fx.apply(replica('api', 0, 'h1'));
    const old = runner.all()[0]!;
    const rep = replica('api', 0, 'h2');
    rep.spec.env = [{ name: 'PORT', value: '6000' }];
    await fx.apply(rep);
    expect(old.stopRequested).toBe(true);
    expect(runner.starts()).toHaveLength(2);
    expect(runner.starts()[1]!.env.PORT).toBe('6000');
    expect(get('api-0').status).toMatchObject({ state: 'Running', pid: runner.all()[1]!.pid, restarts: 0 });
  });

  it('stops the process before a deleted replica goes away', async () => {
    await setup();
    await fx.apply(resource('api'));
    await fx.apply(replica('api', 0));
    await fx.client.delete('Replica', NS, 'api-0');
    await fx.settle();
    expect(runner.all()[0]!.stopRequested).toBe(true);
    expect(fx.store.tryGet('Replica', NS, 'api-0')).toBeUndefined();
  });

  it('reports a command that cannot start, and leaves container replicas alone', async () => {
    await setup();
    runner.failNextStart('PROCESS_COMMAND_NOT_FOUND');
    await fx.apply(resource('api'));
    await fx.apply({ ...resource('web'), spec: { container: { image: 'nginx' } } });
    await fx.apply(replica('api', 0));
    await fx.apply(replica('web', 0));
    const st = get('api-0').status!;
    expect(st.state).toBe('Failed');
    expect(st.message).toContain('command not found: node');
    // Written with its backoff from the first write on (a crash loop, not a final Failed).
    expect(st.message).toMatch(/; restarting in \d+/);
    expect(running('api-0')?.reason).toBe('BackOff');
    expect(runner.starts().map((s) => s.id)).toEqual(['default/api-0']);
    expect(get('web-0').status).toBeUndefined();
    await fx.advance(1000);
    expect(runner.starts().map((s) => s.id)).toEqual(['default/api-0', 'default/api-0']);
    expect(get('api-0').status).toMatchObject({ state: 'Running', restarts: 1, message: 'restarted; last run: command not found: node' });
  });

  it('stops every process on stop (dispose)', async () => {
    await setup();
    await fx.apply(resource('api', { replicas: 2 }));
    await fx.apply(replica('api', 0));
    await fx.apply(replica('api', 1));
    await fx.stop();
    expect(runner.running()).toHaveLength(0);
    expect(runner.all().every((p) => p.stopRequested)).toBe(true);
  });
});
