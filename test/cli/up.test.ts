// `apphostctl up` in the foreground (live view, Ctrl+C -> clean stop with a summary, exit 0) and
// `up --detach` / `down`, as real child processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readPid, pidFilePath } from '../../src/cli/up/pid-file.ts';
import { isRunning } from '../support/proc.ts';
import { runCli, startCli, TEST_APP, type LiveCli } from './support.ts';

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [app.mjs]}
  endpoints: [{scheme: http, env: PORT}]
`;

function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apphostctl-up-'));
  writeFileSync(join(dir, 'app.mjs'), TEST_APP);
  writeFileSync(join(dir, 'apphost.yaml'), APP_YAML);
  return dir;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('apphostctl up', { timeout: 120_000 }, () => {
  it('runs in the foreground with status and prefixed logs; SIGINT stops it cleanly with a summary', async () => {
    const dir = appDir();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const up: LiveCli = startCli(['up', '--plain', '--name', 'uptest'], dir);
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    await up.waitFor(/\[apphost\] web: Running 1\/1 ready http:\/\/localhost:\d+/);
    await up.waitFor(/\[web-0\] hello from web-0/);
    expect(up.output()).toMatch(/^apphost uptest {2}https:\/\/127\.0\.0\.1:\d+ {2}kubeconfig \.apphost\/kubeconfig/m);
    expect(readPid(pidFilePath(dir))).toBe(up.child.pid);

    const again = await runCli(['up'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: an apphost is already running in this folder (pid ${up.child.pid}): stop it with \`apphostctl down\`\n`);

    expect(await up.stop('SIGINT')).toBe(0);
    expect(up.output()).toMatch(/stopped apphost uptest after \d+s: 1 resource\(s\), 1 ready replica\(s\) stopped/);
    expect(existsSync(pidFilePath(dir))).toBe(false);
    expect(existsSync(join(dir, '.apphost', 'kubeconfig'))).toBe(false);
  });

  it('--detach runs in the background; down stops it', async () => {
    const dir = appDir();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const started = await runCli(['up', '--detach', '-f', 'apphost.yaml'], dir);
    expect(started.stderr).toBe('');
    const pid = Number(/\(pid (\d+)\)/.exec(started.stdout)?.[1]);
    cleanup.push(() => {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    expect(started.stdout).toMatch(
      /^apphost started in the background \(pid \d+\); logs: \.apphost\/apphost\.log; stop it with `apphostctl down`\ndashboard {2}http:\/\/127\.0\.0\.1:\d+\/login\?t=\S+\n$/,
    );
    expect(isAlive(pid)).toBe(true);
    const wait = await runCli(['wait', '--for=condition=Ready', 'endpoint/web-http', '--timeout=60s'], dir);
    expect(wait.stdout).toBe('endpoint.apphost.dev/web-http condition met\n');
    const down = await runCli(['down'], dir);
    expect(down.stdout).toBe(`apphost stopped (pid ${pid})\n`);
    expect(isRunning(pid)).toBe(false); // a zombie nobody reaped yet is dead
    const none = await runCli(['down'], dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: no running apphost found/);
  });

  it('a mistake in the manifests fails before anything starts', async () => {
    const dir = appDir();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'broken.yaml'), 'kind: Resource\nmetadata: {name: x\n');
    const r = await runCli(['up', '-f', 'broken.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*broken\.yaml: invalid YAML/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(existsSync(join(dir, '.apphost', 'kubeconfig'))).toBe(false);
  });

  it('a stale .apphost/apphost.pid whose pid now belongs to another process: down signals nothing, up starts', async () => {
    const dir = appDir();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    cleanup.push(() => void sleeper.kill('SIGKILL'));
    const pid = sleeper.pid!;
    mkdirSync(join(dir, '.apphost'), { mode: 0o700 });
    const start = Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[22 - 3]);
    // As `echo $! > .apphost/apphost.pid` writes it, and as a crashed apphost left it (its pid and
    // start time) after the pid went to the sleep: neither is that apphost.
    for (const content of [`${pid}\n`, `${pid}-${start + 1}\n`]) {
      writeFileSync(pidFilePath(dir), content);
      const down = await runCli(['down', '--timeout=2s'], dir);
      expect(down.code).toBe(1);
      expect(down.stderr).toBe(
        `error: no running apphost found: .apphost/apphost.pid named pid ${pid}, which is not that apphost (a stale file, removed; nothing was signalled)\n`,
      );
      expect(existsSync(pidFilePath(dir))).toBe(false);
      expect(isRunning(pid)).toBe(true);
    }

    writeFileSync(pidFilePath(dir), `${pid}\n`);
    const up: LiveCli = startCli(['up', '--plain', '--name', 'stale'], dir);
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    await up.waitFor(/\[apphost\] web: Running 1\/1 ready/);
    expect(readPid(pidFilePath(dir))).toBe(up.child.pid);
    expect(isRunning(pid)).toBe(true);
    const down = await runCli(['down'], dir);
    expect(down.stdout).toBe(`apphost stopped (pid ${up.child.pid})\n`);
    expect(await up.stop()).toBe(0);
    expect(isRunning(pid)).toBe(true);
  });
});
