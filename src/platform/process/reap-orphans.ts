// After a crash: kill what a dead apphost instance of this folder left running. Two sources, so a
// child is found whether or not its crash record reached the disk:
// - crash records (`<pid>.json`): a group is only signalled when its leader still has the recorded
//   start time, or (leader gone) when members that started no earlier than the leader remain in
//   its group; a recycled pid is never killed;
// - claims (`<instance id>.instance`, written before the instance's first spawn): every live process
//   whose environment carries `APPHOST_INSTANCE=<dead instance id>` was started by that instance
//   (or descends from one it started; an id holds pid and start time, so it is never reused): its
//   process group, which that replica created (each child runs in its own session), is terminated.
// Then temporary files that dead writers left (empty, when killed between open and write) go.
import { unlink } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import { isInstanceAlive } from './instance-id.ts';
import { groupMembers, isAliveState, processesWithEnv, readProcStat } from './proc-fs.ts';
import { INSTANCE_ENV, readClaims, readRecords, readTmpFiles, removeClaim, removeRecord } from './process-records.ts';
import { terminateGroup } from './terminate-group.ts';
import type { ProcessRecord, ReapedProcess, ReapOptions } from './types.ts';

async function targetsOf(record: ProcessRecord): Promise<number[]> {
  const leader = await readProcStat(record.pid);
  if (leader && isAliveState(leader.pid, leader.state)) {
    if (leader.startTime !== record.startTime) return []; // pid recycled: not ours
    return [record.pid, ...(await groupMembers(record.pgid)).map((m) => m.pid).filter((p) => p !== record.pid)];
  }
  // Leader gone: a pgid cannot be reused while any process is still in that group.
  return (await groupMembers(record.pgid))
    .filter((m) => m.startTime >= record.startTime)
    .map((m) => m.pid);
}

export async function reapOrphans(options: ReapOptions & { logger?: Logger }): Promise<ReapedProcess[]> {
  const log = options.logger ?? pino({ level: 'silent' });
  const isAlive = options.isAlive ?? isInstanceAlive;
  const graceMs = options.graceMs ?? 2000;
  const { dir } = options;
  const deadCache = new Map<string, Promise<boolean>>();
  const isDead = (id: string) => {
    let dead = deadCache.get(id);
    if (!dead) deadCache.set(id, (dead = Promise.resolve(isAlive(id)).then((alive) => !alive)));
    return dead;
  };

  const orphans: ProcessRecord[] = [];
  for (const record of await readRecords(dir)) if (await isDead(record.instanceId)) orphans.push(record);
  const deadClaims: string[] = [];
  for (const id of await readClaims(dir)) if (await isDead(id)) deadClaims.push(id);

  // Groups to terminate: from the records, then from the markers of every dead instance.
  const groups = new Map<number, ReapedProcess>();
  for (const record of orphans) {
    const killed = await targetsOf(record);
    if (killed.length > 0) groups.set(record.pgid, { instanceId: record.instanceId, record, killed });
  }
  const deadIds = new Set([...deadClaims, ...orphans.map((r) => r.instanceId)]);
  for (const p of await processesWithEnv(INSTANCE_ENV, deadIds)) {
    const group = groups.get(p.pgrp) ?? { instanceId: p.value, killed: [] };
    if (!group.killed.includes(p.pid)) group.killed.push(p.pid);
    groups.set(p.pgrp, group);
  }

  await Promise.all(
    [...groups].map(async ([pgid, group]) => {
      log.info({ id: group.record?.id, pgid, instanceId: group.instanceId, killed: group.killed }, 'killing orphaned process group');
      await terminateGroup({ pgid, graceMs });
    }),
  );
  const warn = (what: string) => (err: unknown) => log.warn({ err }, `cannot remove ${what}`);
  await Promise.all(orphans.map((r) => removeRecord(dir, r.pid).catch(warn('process record'))));
  await Promise.all(deadClaims.map((id) => removeClaim(dir, id).catch(warn('instance claim'))));
  for (const tmp of await readTmpFiles(dir)) {
    if (await isDead(tmp.writer)) await unlink(tmp.file).catch(warn('temporary file'));
  }
  return [...groups.values()];
}
