// Process probe: a stopped process (SIGSTOP, a debugger) still has its listening socket accept
// connections (the kernel completes the handshake), so a TCP probe passes while every client hangs.
// Its state in /proc says it cannot answer.
import { readProcStat } from '../process/proc-fs.ts';
import type { ProbeResult } from './types.ts';

export async function probeProcess(options: { pid: number }): Promise<ProbeResult> {
  const stat = await readProcStat(options.pid);
  // Unknown (no /proc, or already gone): nothing to add to what the other probes say.
  if (!stat) return { ok: true, code: 'PROBE_OK', message: `pid ${options.pid}: state unknown` };
  if (stat.state === 'T' || stat.state === 't') {
    return { ok: false, code: 'PROBE_PROCESS_STOPPED', message: `pid ${options.pid} is stopped (state ${stat.state}): it cannot answer` };
  }
  return { ok: true, code: 'PROBE_OK', message: `pid ${options.pid} is running (state ${stat.state})` };
}
