import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentInstanceId, isInstanceAlive } from './instance-id.ts';
import { readProcStat } from './proc-fs.ts';
import { createProcessRecords, readRecords } from './process-records.ts';
import { reapOrphans } from './reap-orphans.ts';
import { isGone, killGroupQuietly, waitFor } from '../../../test/support/process-helpers.ts';

let root: string;
const groups: number[] = [];

/** A detached `sh` with a `sleep` grandchild, as a dead instance's runner would have left it. */
async function orphanTree(env: Record<string, string> = {}): Promise<{ leader: number; grandchild: number }> {
  const child = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  const leader = child.pid!;
  groups.push(leader);
  const grandchild = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  child.stdout!.destroy();
  child.unref();
  return { leader, grandchild };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'apphost-reap-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  for (const pgid of groups.splice(0)) killGroupQuietly(pgid);
});

describe('reapOrphans', () => {
  it('kills the process group (grandchild too) of a dead instance and removes its record', async () => {
    const dir = join(root, 'dead');
    const dead = createProcessRecords({ dir, instanceId: '999999-1' });
    const { leader, grandchild } = await orphanTree();
    const record = await dead.add({ pid: leader, id: 'default/api-0', command: 'sh' });
    expect(record?.pgid).toBe(leader);

    const reaped = await reapOrphans({ dir, isAlive: (id) => id !== '999999-1', graceMs: 500 });
    expect(reaped).toHaveLength(1);
    expect(reaped[0]!.record).toEqual(record);
    expect(reaped[0]!.killed.sort()).toEqual([leader, grandchild].sort());
    await waitFor(() => isGone(leader) && isGone(grandchild), 3000, 'orphans gone');
    expect(await dead.list()).toEqual([]);
  });

  it('kills group members left behind when the leader itself is already gone', async () => {
    const dir = join(root, 'leaderless');
    const dead = createProcessRecords({ dir, instanceId: '999999-2' });
    const { leader, grandchild } = await orphanTree();
    await dead.add({ pid: leader, id: 'default/api-1', command: 'sh' });
    process.kill(leader, 'SIGKILL');
    await waitFor(() => isGone(leader), 3000, 'leader gone');
    expect(isGone(grandchild)).toBe(false);

    const reaped = await reapOrphans({ dir, isAlive: () => false, graceMs: 500 });
    expect(reaped.map((r) => r.killed)).toEqual([[grandchild]]);
    await waitFor(() => isGone(grandchild), 3000, 'grandchild gone');
  });

  it('never kills a recycled pid (start time differs) and leaves records of live instances alone', async () => {
    const dir = join(root, 'recycled');
    const { leader, grandchild } = await orphanTree();
    const stat = await readProcStat(leader);
    const live = createProcessRecords({ dir, instanceId: currentInstanceId() });
    await live.add({ pid: grandchild, id: 'default/keep-0', command: 'sleep' });
    // A dead instance's record for `leader`, but with another start time: the pid was recycled.
    await writeFile(
      join(dir, `${leader}.json`),
      JSON.stringify({ pid: leader, pgid: leader, startTime: stat!.startTime + 1, instanceId: '999999-3', id: 'default/old-0', command: 'sh' }),
    );

    const reaped = await reapOrphans({ dir, graceMs: 200 }); // default isAlive: our own instance is alive
    expect(reaped).toEqual([]);
    expect(isGone(leader)).toBe(false);
    expect(isGone(grandchild)).toBe(false);
    expect((await live.list()).map((r) => r.id)).toEqual(['default/keep-0']);
  });

  it('skips unreadable record files', async () => {
    const dir = join(root, 'junk');
    const records = createProcessRecords({ dir, instanceId: '999999-4' });
    const { leader } = await orphanTree();
    await records.add({ pid: leader, id: 'default/x-0', command: 'sh' });
    await writeFile(join(dir, '123.json'), '{"half":');
    await writeFile(join(dir, 'notes.txt'), 'hello');
    expect((await records.list()).map((r) => r.pid)).toEqual([leader]);
  });
});

describe('reapOrphans by the instance marker', () => {
  it('kills the groups that carry a dead claimant\'s marker though no record was written, and sweeps its temporary files', async () => {
    const dir = join(root, 'marker');
    // Ids unique to this run: a concurrent run of this file must not reap these processes.
    const [DEAD, ALIVE] = [`9${process.pid}-5`, `9${process.pid}-6`];
    const dead = createProcessRecords({ dir, instanceId: DEAD });
    const alive = createProcessRecords({ dir, instanceId: ALIVE });
    await dead.claim();
    await alive.claim();
    const unrecorded = await orphanTree({ APPHOST_INSTANCE: DEAD });
    const others = await orphanTree({ APPHOST_INSTANCE: ALIVE });
    await writeFile(join(dir, `777.json.${DEAD}.tmp`), '');
    await writeFile(join(dir, `778.json.${ALIVE}.tmp`), '');

    const reaped = await reapOrphans({ dir, isAlive: (id) => id !== DEAD, graceMs: 500 });
    expect(reaped.map((r) => ({ instanceId: r.instanceId, record: r.record }))).toEqual([{ instanceId: DEAD, record: undefined }]);
    expect(reaped[0]!.killed.filter((p) => p === unrecorded.leader || p === unrecorded.grandchild).length).toBeGreaterThan(0);
    await waitFor(() => isGone(unrecorded.leader) && isGone(unrecorded.grandchild), 3000, 'unrecorded orphans gone');
    expect(isGone(others.leader) || isGone(others.grandchild)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual([`778.json.${ALIVE}.tmp`, `${ALIVE}.instance`]);
    await alive.release();
    expect(await readdir(dir)).toEqual([`778.json.${ALIVE}.tmp`]);
  });
});

describe('reapOrphans after a real crash', () => {
  it('kills what a SIGKILLed instance started through the real runner, using the default liveness check', async () => {
    const dir = join(root, 'crash');
    const fixture = join(import.meta.dirname, 'fixtures', 'crashing-instance.ts');
    const runTs = join(import.meta.dirname, '..', '..', '..', 'bin', 'run-ts.js');
    const instance = spawn(process.execPath, [runTs, fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await new Promise<{ pid: number; instanceId: string }>((resolve, reject) => {
      instance.once('error', reject);
      instance.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
      instance.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { pid: number; instanceId: string }));
    });
    groups.push(info.pid);
    expect(isInstanceAlive(info.instanceId)).toBe(true);
    expect(info.instanceId).toBe(`${instance.pid}-${(await readProcStat(instance.pid!))!.startTime}`);

    instance.removeAllListeners('exit');
    const died = new Promise((r) => instance.once('exit', r));
    instance.kill('SIGKILL');
    await died;
    expect(isInstanceAlive(info.instanceId)).toBe(false);
    expect(isGone(info.pid)).toBe(false); // its own process group survived the crash

    const reaped = await reapOrphans({ dir, graceMs: 500 });
    expect(reaped.map((r) => r.record?.pid)).toEqual([info.pid]);
    expect(reaped[0]!.killed).toHaveLength(2); // sh and its sleep
    for (const pid of reaped[0]!.killed) await waitFor(() => isGone(pid), 3000, `pid ${pid} gone`);
    expect(await readRecords(dir)).toEqual([]);
  });
});

describe('instance ids', () => {
  it('identify this process as alive and a made-up or recycled one as dead', async () => {
    const id = currentInstanceId();
    expect(id).toMatch(/^\d+-\d+$/);
    expect(isInstanceAlive(id)).toBe(true);
    const [pid, start] = id.split('-').map(Number);
    expect(isInstanceAlive(`${pid}-${start! + 1}`)).toBe(false);
    expect(isInstanceAlive('garbage')).toBe(false);
    // The parent of this worker is alive with its real start time.
    const parent = await readProcStat(process.ppid);
    expect(isInstanceAlive(`${process.ppid}-${parent!.startTime}`)).toBe(true);
  });
});
