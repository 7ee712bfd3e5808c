// A waitFor cycle (a waits for b, b waits for a), through the real `apphostctl up`: instead of
// waiting forever with "waiting for b", both say WaitForCycle naming the cycle, a resource waiting
// for one of them says why it cannot start, and breaking the cycle with `apphostctl apply` starts all.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { waitFor } from '../support/wait.ts';

const resource = (name: string, waitFor: string[]) =>
  `apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: ${name}}\nspec:\n  executable: {command: node, args: [app.mjs]}\n  endpoints: [{scheme: http, env: PORT}]\n` +
  (waitFor.length ? `  waitFor: [${waitFor.map((w) => `{resource: ${w}}`).join(', ')}]\n` : '');

const run = (cmd: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );

describe('waitFor cycle', { timeout: 90_000 }, () => {
  let app: CliApp;

  beforeAll(async () => {
    const manifest = [resource('a', ['b']), resource('b', ['a']), resource('c', ['a'])].join('---\n');
    app = await startCliApp({ name: 'waitcycle', files: { 'app.mjs': TEST_APP, 'apphost.yaml': manifest } });
  });
  afterAll(() => app?.stop('SIGINT'));

  it('names the cycle on both resources, refuses to start them, and recovers when it is broken', async () => {
    const ready = (res: any) => res?.status?.conditions?.find((c: any) => c.type === 'DependenciesReady');
    await waitFor('a and b show the cycle', async () => {
      const [a, b] = [await app.get('resources', 'a'), await app.get('resources', 'b')];
      return ready(a)?.reason === 'WaitForCycle' && ready(b)?.reason === 'WaitForCycle';
    }, 10_000);
    const a = await app.get('resources', 'a');
    const b = await app.get('resources', 'b');
    expect({ phase: a.status.phase, reason: a.status.reason, message: ready(a).message }).toEqual({
      phase: 'Failed',
      reason: 'WaitForCycle',
      message: expect.stringContaining('a -> b -> a'),
    });
    expect({ phase: b.status.phase, reason: b.status.reason, message: ready(b).message }).toEqual({
      phase: 'Failed',
      reason: 'WaitForCycle',
      message: expect.stringContaining('b -> a -> b'),
    });
    // c is not in the cycle but waits for a: it says a cannot start and why.
    await waitFor('c says why', async () => /a -> b -> a/.test((await app.get('resources', 'c'))?.status?.message ?? ''), 10_000);
    expect(await app.list('replicas')).toEqual([]);

    const wide = await runCli(['get', 'res', '-o', 'wide'], app.dir);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(/^a\s.*Failed.*WaitForCycle.*a -> b -> a/m);
    expect(wide.stdout).toMatch(/^b\s.*Failed.*WaitForCycle.*b -> a -> b/m);
    const describe = await runCli(['describe', 'res', 'a'], app.dir);
    expect(describe.stdout).toMatch(/WaitForCycle/);

    // Break the cycle with the real kubectl: b waits for nothing. b starts, then a, then c.
    const patched = await run('kubectl', ['--kubeconfig', app.kubeconfig.path, 'patch', 'res', 'b', '--type=json', '-p', '[{"op":"remove","path":"/spec/waitFor"}]']);
    expect(patched).toMatchObject({ code: 0, stdout: expect.stringContaining('patched') });
    for (const name of ['a', 'b', 'c']) {
      await waitFor(`${name} Running`, async () => (await app.get('resources', name))?.status?.phase === 'Running', 20_000);
    }
  });
});
