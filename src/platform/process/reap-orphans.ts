// After a crash: kill what a dead apphost instance left running, using its crash records. A group is
// only signalled when its leader still has the recorded start time, or (leader gone) when members
// that started no earlier than the leader remain in its group; a recycled pid is never killed.
import pino, { type Logger } from 'pino';
import { isInstanceAlive } from './instance-id.ts';
import { groupMembers, readProcStat } from './proc-fs.ts';
import { readRecords, removeRecord } from './process-records.ts';
import { terminateGroup } from './terminate-group.ts';
import type { ProcessRecord, ReapedProcess, ReapOptions } from './types.ts';

async function targetsOf(record: ProcessRecord): Promise<number[]> {
  const leader = await readProcStat(record.pid);
  if (leader && leader.state !== 'Z') {
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
  const reaped: ReapedProcess[] = [];
  const orphans: ProcessRecord[] = [];
  for (const record of await readRecords(options.dir)) {
    if (!(await isAlive(record.instanceId))) orphans.push(record);
  }
  await Promise.all(
    orphans.map(async (record) => {
      const killed = await targetsOf(record);
      if (killed.length > 0) {
        log.info({ id: record.id, pid: record.pid, instanceId: record.instanceId, killed }, 'killing orphaned process group');
        await terminateGroup({ pgid: record.pgid, graceMs });
        reaped.push({ record, killed });
      }
      await removeRecord(options.dir, record.pid).catch((err: unknown) =>
        log.warn({ pid: record.pid, err }, 'cannot remove process record'),
      );
    }),
  );
  return reaped;
}
