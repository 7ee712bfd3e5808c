// Runs the real apphostctl (bin/apphostctl.js) against a running apphost, as a user would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const APPHOSTCTL = fileURLToPath(new URL('../../../bin/apphostctl.js', import.meta.url));

export async function apphostctl(kubeconfig: string, args: string[], timeoutMs = 20_000): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [APPHOSTCTL, '--kubeconfig', kubeconfig, ...args], { timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}
