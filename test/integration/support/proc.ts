// Finds live processes by their environment (/proc/<pid>/environ): everything a test started,
// children and grandchildren included, whoever their parent is now. Zombies are skipped.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose environment has every `name=value` of `vars` (value '*' = any). */
export function pidsWithEnv(vars: Record<string, string>): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const ok = Object.entries(vars).every(([k, v]) => (v === '*' ? env.some((e) => e.startsWith(`${k}=`)) : env.includes(`${k}=${v}`)));
      if (ok) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
