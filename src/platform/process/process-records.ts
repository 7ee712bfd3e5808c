// Crash records in `.apphost/processes/`. Before its first child, an instance writes (durably:
// write, fsync, rename) `<instance id>.instance`, its claim on every process that carries its
// marker `APPHOST_INSTANCE=<instance id>` in the environment; then one small JSON file per running
// child, named after its pid, removed when it exits. After a crash the next instance reads both
// (reap-orphans.ts): the claim finds children whose record was not written yet, and the records
// find those that dropped the marker from their environment.
import { mkdir, open, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
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

/** The environment variable every child carries: the id of the instance that started it. */
export const INSTANCE_ENV = 'APPHOST_INSTANCE';

const CLAIM_SUFFIX = '.instance';
/** `<name>.<writer's instance id>.tmp`: a file being written (left empty by a writer killed mid-way). */
const TMP = /\.(\d+(?:-\d+)?)\.tmp$/;

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

function claimFile(dir: string, instanceId: string): string {
  return join(dir, `${instanceId}${CLAIM_SUFFIX}`);
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

const ignoreMissing = (err: NodeJS.ErrnoException) => {
  if (err.code !== 'ENOENT') throw err;
};

export async function readRecords(dir: string): Promise<ProcessRecord[]> {
  const out: ProcessRecord[] = [];
  for (const name of (await names(dir)).filter((n) => /^\d+\.json$/.test(n))) {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
      if (isRecord(parsed)) out.push(parsed);
    } catch {
      // Half-written or foreign file: skip.
    }
  }
  return out;
}

/** Instance ids that claimed processes in `dir` and have not released them. */
export async function readClaims(dir: string): Promise<string[]> {
  return (await names(dir)).filter((n) => n.endsWith(CLAIM_SUFFIX)).map((n) => n.slice(0, -CLAIM_SUFFIX.length));
}

export async function removeClaim(dir: string, instanceId: string): Promise<void> {
  await unlink(claimFile(dir, instanceId)).catch(ignoreMissing);
}

/** Temporary files in `dir` with the instance id (or, from older versions, the pid) of their writer. */
export async function readTmpFiles(dir: string): Promise<{ file: string; writer: string }[]> {
  return (await names(dir)).flatMap((n) => {
    const m = TMP.exec(n);
    return m ? [{ file: join(dir, n), writer: m[1]! }] : [];
  });
}

export async function removeRecord(dir: string, pid: number): Promise<void> {
  await unlink(recordFile(dir, pid)).catch(ignoreMissing);
}

/** Writes `file` through a temporary file and a rename, so it is either whole or absent. */
async function writeAtomic(file: string, text: string, writer: string, durable: boolean): Promise<void> {
  const tmp = `${file}.${writer}.tmp`;
  if (durable) {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } else {
    await writeFile(tmp, text, { mode: 0o600 });
  }
  await rename(tmp, file);
}

export function createProcessRecords(options: ProcessRecordsOptions): ProcessRecords {
  const { dir } = options;
  const instanceId = options.instanceId ?? currentInstanceId();
  let made: Promise<unknown> | undefined;
  const ensureDir = () => (made ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  let claimed: Promise<void> | undefined;
  return {
    dir,
    instanceId,
    claim() {
      claimed ??= (async () => {
        await ensureDir();
        await writeAtomic(claimFile(dir, instanceId), `${JSON.stringify({ instanceId, claimedAt: new Date().toISOString() })}\n`, instanceId, true);
      })();
      return claimed;
    },
    async release() {
      if (!claimed) return;
      // A child whose group could not be killed keeps its record, and the claim stays with it.
      if ((await readRecords(dir)).some((r) => r.instanceId === instanceId)) return;
      await removeClaim(dir, instanceId);
      claimed = undefined;
    },
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
      await ensureDir();
      await writeAtomic(recordFile(dir, entry.pid), `${JSON.stringify(record)}\n`, instanceId, false);
      return record;
    },
    remove: (pid) => removeRecord(dir, pid),
    list: () => readRecords(dir),
  };
}
