// Finds live processes by their environment (/proc/<pid>/environ): everything a test started,
// children and grandchildren included, whoever their parent is now. Zombies are skipped.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAliveState, readProcStatSync } from '../../src/platform/process/proc-fs.ts';

/** Whether `pid` is a live process (a killed node is alive until its last thread exits: isAliveState). */
export function isRunning(pid: number): boolean {
  const stat = readProcStatSync(pid);
  return stat !== undefined && isAliveState(pid, stat.state);
}

/** Pids of live processes whose environment has every `name=value` of `vars` (value '*' = any). */
export function pidsWithEnv(vars: Record<string, string>): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (!isAliveState(Number(entry), stat[stat.lastIndexOf(')') + 2]!)) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const ok = Object.entries(vars).every(([k, v]) => (v === '*' ? env.some((e) => e.startsWith(`${k}=`)) : env.includes(`${k}=${v}`)));
      if (ok) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** One listening TCP socket: its local address (IPv4 dotted, IPv6 compressed) and port. */
export interface ListeningSocket {
  address: string;
  port: number;
}

function socketInodes(pid: number | 'self'): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** /proc/net/tcp's hex address ("0100007F", or 32 hex digits for IPv6) as text. */
function decodeAddress(hex: string): string {
  const bytes = (h: string) => h.match(/../g)!.map((b) => parseInt(b, 16));
  if (hex.length === 8) return bytes(hex).reverse().join('.');
  // IPv6: four 32-bit words, each in host (little-endian) order.
  const words = hex.match(/.{8}/g)!.flatMap((w) => bytes(w).reverse());
  const groups = Array.from({ length: 8 }, (_, i) => ((words[2 * i]! << 8) | words[2 * i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

/** Every TCP socket `pid` listens on (IPv4 and IPv6), from its socket fds and /proc/net/tcp{,6}. */
export function listeningSockets(pid: number | 'self' = 'self'): ListeningSocket[] {
  const inodes = socketInodes(pid);
  const out: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] ("0100007F:1F90"), st is cols[3] (0A = LISTEN), inode is cols[9]
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9]!)) {
        const [addr, port] = cols[1]!.split(':');
        out.push({ address: decodeAddress(addr!), port: parseInt(port!, 16) });
      }
    }
  }
  return out;
}

/** TCP ports `pid` listens on (IPv4 and IPv6). */
export function listeningPorts(pid: number | 'self' = 'self'): number[] {
  return [...new Set(listeningSockets(pid).map((s) => s.port))].sort((a, b) => a - b);
}
