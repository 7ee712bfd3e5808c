import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogStore, type LogStore } from '../logs/index.ts';
import { createProcessRecords } from './process-records.ts';
import { createProcessRunner } from './process-runner.ts';
import { readProcStat } from './proc-fs.ts';
import { isGone, killGroupQuietly, waitFor } from '../../../test/support/process-helpers.ts';
import type { ManagedProcess, ProcessRunner } from './types.ts';

const node = process.execPath;
let dir: string;
let logs: LogStore;
let runner: ProcessRunner;
const started: ManagedProcess[] = [];
const strays: number[] = [];

function lines(id: string, stream?: string): string[] {
  return logs.read(id).filter((l) => !stream || l.stream === stream).map((l) => l.line);
}

async function start(id: string, command: string, args: string[], extra: { cwd?: string; env?: Record<string, string> } = {}) {
  const p = await runner.start({ id, command, args, env: extra.env ?? {}, cwd: extra.cwd });
  started.push(p);
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apphost-process-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop({ graceMs: 100 })));
  for (const pid of strays.splice(0)) killGroupQuietly(pid);
});

describe('createProcessRunner (real child processes)', () => {
  it('captures stdout and stderr as lines and reports the exit code', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 500 });
    const p = await start('default/echo-0', node, [
      '-e',
      'console.log("out one"); console.error("err one"); console.log(process.env.GREETING); process.exit(3)',
    ], { env: { GREETING: 'hi there' } });
    expect(p.pid).toBeGreaterThan(0);
    const exit = await p.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    // All output is captured by the time `exited` resolves.
    expect(lines('default/echo-0', 'stdout')).toEqual(['out one', 'hi there']);
    expect(lines('default/echo-0', 'stderr')).toEqual(['err one']);
    expect(runner.running()).toEqual([]);
  });

  it('splits output into lines across chunk boundaries, flushing the unterminated last line', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 500 });
    const script = `
      const w = (s) => new Promise((r) => process.stdout.write(s, () => setTimeout(r, 30)));
      (async () => { await w('hel'); await w('lo\\nwor'); await w('ld\\r\\nlast'); })();`;
    const p = await start('default/chunks-0', node, ['-e', script]);
    await p.exited;
    expect(lines('default/chunks-0')).toEqual(['hello', 'world', 'last']);
  });

  it('turns ENOENT into an exit with a clear message and a stable code, never a throw', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs });
    const p = await start('default/missing-0', 'apphost-no-such-command-xyz', []);
    expect(p.pid).toBe(0);
    const exit = await p.exited;
    expect(exit.errorCode).toBe('PROCESS_COMMAND_NOT_FOUND');
    expect(exit.error).toBe('command not found: apphost-no-such-command-xyz');
    expect(exit.code).toBeNull();
    expect(await p.stop()).toEqual(exit);
    expect(lines('default/missing-0', 'system')).toEqual([exit.error]);
  });

  it('reports a non-executable file as permission denied and a missing cwd as such', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs });
    const file = join(dir, 'not-executable.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const denied = await (await start('default/denied-0', file, [])).exited;
    expect(denied.errorCode).toBe('PROCESS_PERMISSION_DENIED');
    const noCwd = await (await start('default/cwd-0', node, ['-e', '0'], { cwd: join(dir, 'nope') })).exited;
    expect(noCwd.errorCode).toBe('PROCESS_CWD_NOT_FOUND');
    expect(noCwd.error).toContain(join(dir, 'nope'));
  });

  it('runs in the given working directory', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs });
    const p = await start('default/cwd-1', node, ['-e', 'console.log(process.cwd())'], { cwd: dir });
    await p.exited;
    await waitFor(() => lines('default/cwd-1').length === 1, 2000, 'cwd line');
    expect(lines('default/cwd-1')).toEqual([dir]);
  });

  it('stop() kills the whole process group, grandchild included', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 2000 });
    const p = await start('default/tree-0', 'sh', ['-c', 'sleep 300 & echo $!; wait']);
    strays.push(p.pid);
    await waitFor(() => lines('default/tree-0').length === 1, 3000, 'grandchild pid');
    const grandchild = Number(lines('default/tree-0')[0]);
    expect((await readProcStat(grandchild))?.pgrp).toBe(p.pid); // same group, not the test's
    expect(runner.running()).toContain(p);
    const exit = await p.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(isGone(grandchild)).toBe(true);
    expect(isGone(p.pid)).toBe(true);
    expect(runner.running()).toEqual([]);
  });

  it('honours the grace period, then SIGKILLs a child that traps SIGTERM', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs });
    const p = await start('default/stubborn-0', node, [
      '-e',
      'process.on("SIGTERM", () => console.log("got TERM")); console.log("ready"); setInterval(() => {}, 1000)',
    ]);
    await waitFor(() => lines('default/stubborn-0').includes('ready'), 5000, 'ready');
    const t0 = Date.now();
    const exit = await p.stop({ graceMs: 400 });
    const elapsed = Date.now() - t0;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(3000);
    await waitFor(() => lines('default/stubborn-0').includes('got TERM'), 2000, 'TERM logged');
  });

  it('a child that exits on SIGTERM stops well before the grace period ends', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs });
    const p = await start('default/polite-0', node, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)']);
    await waitFor(() => lines('default/polite-0').includes('ready'), 5000, 'ready');
    const t0 = Date.now();
    const [a, b] = await Promise.all([p.stop({ graceMs: 5000 }), p.stop({ graceMs: 5000 })]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(a).toEqual({ code: null, signal: 'SIGTERM' });
    expect(b).toBe(a);
  });

  it('when the leader exits by itself, what it left in its group is terminated', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 300 });
    const p = await start('default/leaver-0', 'sh', ['-c', 'sleep 300 & echo $!']);
    strays.push(p.pid);
    expect((await p.exited).code).toBe(0);
    await waitFor(() => lines('default/leaver-0').length === 1, 2000, 'grandchild pid');
    const grandchild = Number(lines('default/leaver-0')[0]);
    await waitFor(() => isGone(grandchild), 3000, 'left-behind grandchild to be terminated');
  });

  it('stopAll() also hurries the cleanup of groups left behind by exited leaders', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 60_000 });
    const p = await start('default/leaver-1', 'sh', ['-c', 'trap "" TERM; sleep 300 & echo $!']);
    strays.push(p.pid);
    await p.exited;
    await waitFor(() => lines('default/leaver-1').length === 1, 2000, 'grandchild pid');
    const grandchild = Number(lines('default/leaver-1')[0]);
    expect(runner.running()).toEqual([]);
    const t0 = Date.now();
    await runner.stopAll({ graceMs: 200 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(isGone(grandchild)).toBe(true);
  });

  it('writes a crash record while the child runs and removes it when it stops', async () => {
    logs = createLogStore();
    const recordsDir = join(dir, 'records-run');
    const records = createProcessRecords({ dir: recordsDir, instanceId: 'test-instance' });
    runner = createProcessRunner({ logs, records, graceMs: 1000 });
    const p = await start('default/rec-0', node, ['-e', 'setInterval(() => {}, 1000)']);
    await p.recorded;
    const list = await records.list();
    const stat = await readProcStat(p.pid);
    expect(list).toEqual([
      { pid: p.pid, pgid: p.pid, startTime: stat!.startTime, instanceId: 'test-instance', id: 'default/rec-0', command: node },
    ]);
    await p.stop();
    expect(await records.list()).toEqual([]);

    const quick = await start('default/rec-1', node, ['-e', '0']);
    await quick.exited;
    await waitFor(async () => (await records.list()).length === 0, 2000, 'record removed after natural exit');
  });

  it('stopAll() stops every running child', async () => {
    logs = createLogStore();
    runner = createProcessRunner({ logs, graceMs: 1000 });
    const ps = await Promise.all([0, 1, 2].map((i) => start(`default/many-${i}`, 'sleep', ['300'])));
    expect(runner.running()).toHaveLength(3);
    await runner.stopAll();
    expect(runner.running()).toEqual([]);
    for (const p of ps) expect(p.exit?.signal).toBe('SIGTERM');
  });
});
