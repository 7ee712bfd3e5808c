// The background apphost's output file stays bounded (issue 14 item 8, up.log): `up -d` with a
// chatty replica and APPHOST_OUTPUT_MAX_BYTES=50000: .apphost/apphost.log is copied to
// apphost.log.1 and truncated whenever it passes the cap, so neither grows without bound; both stay
// 0600; `down` still stops it.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';
import { isRunning } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

const MAX = 50_000;
// 100 lines of 200 bytes a second: what `up` lets a replica print before it folds it.
const CHATTY_APP = `setInterval(() => { for (let i = 0; i < 10; i++) console.log('chatty ' + Date.now() + ' ' + 'y'.repeat(170)); }, 100);
process.on('SIGTERM', () => process.exit(0));`;
const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: chatty}
spec:
  executable: {command: node, args: [chatty.mjs]}
`;

describe('background output file', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apphost-outcap-'));
  let pid = 0;
  afterAll(() => {
    if (pid && isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is copied to apphost.log.1 and truncated past APPHOST_OUTPUT_MAX_BYTES', async () => {
    writeFileSync(join(dir, 'chatty.mjs'), CHATTY_APP);
    writeFileSync(join(dir, 'apphost.yaml'), APP_YAML);
    const before = process.env.APPHOST_OUTPUT_MAX_BYTES;
    process.env.APPHOST_OUTPUT_MAX_BYTES = String(MAX);
    const started = await runCli(['up', '--detach', '-f', 'apphost.yaml', '--no-dashboard'], dir).finally(() => {
      if (before === undefined) delete process.env.APPHOST_OUTPUT_MAX_BYTES;
      else process.env.APPHOST_OUTPUT_MAX_BYTES = before;
    });
    expect(started.code, started.stderr).toBe(0);
    pid = Number(/\(pid (\d+)\)/.exec(started.stdout)?.[1]);
    const log = join(dir, '.apphost', 'apphost.log');
    const older = `${log}.1`;
    await waitFor('apphost.log.1', () => existsSync(older), 30_000, 100);
    // Over several caps' worth of output, neither file is ever much more than the cap (it is checked
    // every second: at most a second of output more).
    let largest = 0;
    let rotations = 0;
    let last = statSync(log).size;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const size = statSync(log).size;
      if (size < last) rotations++;
      last = size;
      largest = Math.max(largest, size, statSync(older).size);
    }
    expect(rotations).toBeGreaterThanOrEqual(1);
    expect(largest).toBeLessThan(MAX + 60_000);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(statSync(older).mode & 0o777).toBe(0o600);
    const down = await runCli(['down'], dir);
    expect(down.code, down.stderr).toBe(0);
    expect(isRunning(pid)).toBe(false);
  });
});
