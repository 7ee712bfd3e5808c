// Crash records: one small JSON file per running child in `.apphost/processes/`, named after its
// pid, removed when it exits. After a crash the next instance reads them (reap-orphans.ts).
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentInstanceId } from './instance-id.ts';
import { readProcStat } from './proc-fs.ts';
import type { ProcessRecord, ProcessRecords } from './types.ts';

export interface ProcessRecordsOptions {
  /** Usually `<project>/.apphost/processes`. Created on first write. */
  dir: string;
  /** Default: `currentInstanceId()`. */
  instanceId?: string;
}

function isRecord(value: unknown): value is ProcessRecord {
  const r = value as ProcessRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.pid) &&
    Number.isInteger(r.pgid) &&
    Number.isFinite(r.startTime) &&
    typeof r.instanceId === 'string' &&
    typeof r.id === 'string' &&
    typeof r.command === 'string'
  );
}

export function recordFile(dir: string, pid: number): string {
  return join(dir, `${pid}.json`);
}

export async function readRecords(dir: string): Promise<ProcessRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: ProcessRecord[] = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
      if (isRecord(parsed)) out.push(parsed);
    } catch {
      // Half-written or foreign file: skip.
    }
  }
  return out;
}

export async function removeRecord(dir: string, pid: number): Promise<void> {
  await unlink(recordFile(dir, pid)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

export function createProcessRecords(options: ProcessRecordsOptions): ProcessRecords {
  const { dir } = options;
  const instanceId = options.instanceId ?? currentInstanceId();
  let made = false;
  return {
    dir,
    instanceId,
    async add(entry): Promise<ProcessRecord | undefined> {
      const stat = await readProcStat(entry.pid);
      if (!stat) return undefined; // already gone, or no /proc: nothing can be verified later
      const record: ProcessRecord = {
        pid: entry.pid,
        pgid: stat.pgrp,
        startTime: stat.startTime,
        instanceId,
        id: entry.id,
        command: entry.command,
      };
      if (!made) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        made = true;
      }
      const file = recordFile(dir, entry.pid);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      await rename(tmp, file);
      return record;
    },
    remove: (pid) => removeRecord(dir, pid),
    list: () => readRecords(dir),
  };
}
