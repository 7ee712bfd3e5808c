// Ctrl+C leaves no process behind; SIGKILL of apphost followed by a new `up` in the same folder
// leaves none either. Runs the real CLI (`apphostctl up`) as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { APPHOSTCTL } from './support/cli.ts';
import { echoResource, isAlive, waitFor } from './support/harness.ts';
import { pidsWithEnv } from '../support/proc.ts';

const MARKER = 'APPHOST_TEST_MARKER';

interface Up {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function up(dir: string, marker: string): Up {
  const child = spawn(process.execPath, [APPHOSTCTL, 'up', '-f', 'apphost.yaml', '--plain'], {
    cwd: dir,
    env: { ...process.env, [MARKER]: marker, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

/**
 * Replica processes and their children: the marker (inherited from up) and APPHOST_REPLICA (set by
 * apphost). up itself and its helpers (tsx's esbuild service) have only the marker.
 */
function appPids(marker: string): number[] {
  return pidsWithEnv({ [MARKER]: marker, APPHOST_REPLICA: '*' });
}

describe('shutdown', () => {
  let dir: string;
  const started: ChildProcess[] = [];
  let marker: string;

  async function project(): Promise<void> {
    marker = randomUUID();
    dir = await mkdtemp(join(tmpdir(), 'apphost-shutdown-'));
    const res = echoResource('api', { replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }], env: [{ name: 'SPAWN_CHILD', value: '1' }] });
    await writeFile(join(dir, 'apphost.yaml'), stringify(res));
  }

  afterEach(async () => {
    for (const c of started.splice(0)) if (c.pid && isAlive(c.pid)) c.kill('SIGKILL');
    for (const p of marker ? appPids(marker) : []) process.kill(p, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Ctrl+C (SIGINT) stops every replica and its children and exits 0 within the grace period + 2 s', async () => {
    await project();
    const a = up(dir, marker);
    started.push(a.child);
    // 2 replicas + 1 child each, and up has reported them ready (its signal handlers are in place)
    await waitFor('up reporting 2/2 ready', () => a.output().includes('2/2 ready'), 30_000, 50);
    await waitFor('4 app processes', () => appPids(marker).length === 4, 10_000, 50);
    const pids = appPids(marker);

    const t0 = Date.now();
    a.child.kill('SIGINT');
    const { code } = await a.exited;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(appPids(marker)).toEqual([]);
  });

  it('SIGKILL of apphost, then a new up in the same folder: the leftovers are stopped before anything starts', async () => {
    await project();
    const first = up(dir, marker);
    started.push(first.child);
    await waitFor('4 app processes', () => appPids(marker).length === 4, 30_000, 50);
    const orphans = appPids(marker);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(orphans.filter(isAlive)).toHaveLength(4); // nothing cleaned up after a SIGKILL...

    const second = up(dir, marker);
    started.push(second.child);
    // ...until the next up reaps them, then starts its own.
    await waitFor('orphans gone', () => orphans.every((p) => !isAlive(p)), 30_000, 50);
    await waitFor('4 new app processes', () => appPids(marker).length === 4, 30_000, 50);
    expect(appPids(marker).filter((p) => orphans.includes(p))).toEqual([]);
    await waitFor('up reporting 2/2 ready', () => second.output().includes('2/2 ready'), 30_000, 50);

    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    expect(appPids(marker)).toEqual([]);
  }, 90_000);
});
