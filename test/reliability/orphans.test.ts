// Orphans after a crash, through the real `apphostctl up`: apphost SIGKILLed during `scale
// --replicas=6`, right after its 2nd, 4th or 6th replica process appears (before the crash record
// of a fresh spawn is on disk). The next `up` in the folder must stop every replica of the dead
// run, grandchildren included, before it serves, and leave no `.tmp` behind in .apphost/processes.
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type LiveCli } from '../cli/support.ts';
import { isRunning, pidsWithEnv } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

const RESOURCE = 'burst';
const MANIFEST = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: ${RESOURCE}}
spec:
  executable: {command: sh, args: ['-c', 'sleep 600 & wait']}
`;
const ready = /\[apphost\] burst: Running 1\/1/;

const dir = mkdtempSync(join(tmpdir(), 'apphost-orphans-'));
const started: LiveCli[] = [];
const leaked = new Set<number>();

function up(): LiveCli {
  const cli = startCli(['up', '--plain', '--name', 'orphans'], dir);
  started.push(cli);
  return cli;
}

/** Every process of the resource's replicas (leaders and their `sleep` children). */
const replicaProcesses = () => pidsWithEnv({ APPHOST_RESOURCE: RESOURCE });

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return ''; // gone meanwhile
  }
}

function leftoverTmp(): string[] {
  try {
    return readdirSync(join(dir, '.apphost', 'processes')).filter((f) => f.endsWith('.tmp'));
  } catch {
    return [];
  }
}

afterAll(async () => {
  for (const cli of started) await cli.stop('SIGKILL');
  for (const pid of [...leaked, ...replicaProcesses()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('orphans of a SIGKILLed apphost', { timeout: 180_000 }, () => {
  it('a SIGKILL during scale --replicas=6, at several points, leaves nothing the next up does not remove', async () => {
    writeFileSync(join(dir, 'apphost.yaml'), MANIFEST);
    // What a writer killed between open and write leaves: empty temporary records of dead instances.
    mkdirSync(join(dir, '.apphost', 'processes'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, '.apphost', 'processes', '4000001.json.999999-1.tmp'), '');
    writeFileSync(join(dir, '.apphost', 'processes', '4000002.json.999999.tmp'), '');

    let previous: number[] = [];
    for (const killAt of [2, 4, 6, 3]) {
      const cli = up();
      await cli.waitFor(ready);
      // Nothing of the run killed before survives this one's start, and no temporary file is left.
      expect({ killAt, survivors: previous.filter(isRunning), tmp: leftoverTmp() }).toEqual({ killAt, survivors: [], tmp: [] });
      const leaders = () => replicaProcesses().filter((p) => cmdline(p).startsWith('sh\0'));
      expect(leaders()).toHaveLength(1);

      const scale = runCli(['scale', `resource/${RESOURCE}`, '--replicas=6'], dir);
      // SIGKILL as soon as the killAt-th replica leader exists: right after its spawn.
      await waitFor(`replica leader ${killAt} spawned`, () => leaders().length >= killAt, 30_000, 1);
      cli.child.kill('SIGKILL');
      await cli.stop();
      await scale;
      previous = replicaProcesses();
      for (const p of previous) leaked.add(p);
      expect(previous.length).toBeGreaterThanOrEqual(killAt);
    }

    const last = up();
    await last.waitFor(ready);
    expect({ survivors: previous.filter(isRunning), tmp: leftoverTmp() }).toEqual({ survivors: [], tmp: [] });
    expect(await last.stop('SIGINT')).toBe(0);
    expect(replicaProcesses()).toEqual([]);
    expect(readdirSync(join(dir, '.apphost', 'processes'))).toEqual([]);
  });
});
