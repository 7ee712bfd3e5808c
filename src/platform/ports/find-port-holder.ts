// Who listens on a TCP port: LISTEN sockets from /proc/net/tcp{,6} (their inodes), then the process
// whose /proc/<pid>/fd links to `socket:[inode]`. Linux only; undefined elsewhere or when the
// holder is not visible (another user's process without privileges, another network namespace).
import { readFile, readdir, readlink } from 'node:fs/promises';
import { listPids, readCommandLine } from '../process/proc-fs.ts';
import type { PortHolder } from './types.ts';

const TCP_LISTEN = '0A';

/** Inodes of LISTEN sockets on `port` in the text of /proc/net/tcp or /proc/net/tcp6. */
export function listeningInodes(table: string, port: number): string[] {
  const inodes: string[] = [];
  for (const row of table.split('\n').slice(1)) {
    const cols = row.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const local = cols[1]!;
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (cols[3] === TCP_LISTEN && parseInt(hexPort, 16) === port && cols[9] !== '0') inodes.push(cols[9]!);
  }
  return inodes;
}

async function socketOwner(inodes: Set<string>): Promise<number | undefined> {
  for (const pid of await listPids()) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = await readlink(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match && inodes.has(match[1]!)) return pid;
      } catch {
        // fd closed meanwhile, or not ours to read
      }
    }
  }
  return undefined;
}

export async function findPortHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const inode of listeningInodes(await readFile(file, 'utf8'), port)) inodes.add(inode);
    } catch {
      // no such table (no IPv6, or not Linux)
    }
  }
  if (inodes.size === 0) return undefined;
  const pid = await socketOwner(inodes);
  if (pid === undefined) return undefined;
  return { pid, command: (await readCommandLine(pid)) ?? `pid ${pid}` };
}
