// Crash loops, through the real `apphostctl up`: a command that exits 1, a command that does not
// exist and (with Docker) an image that does not exist, next to a healthy resource. Over 30 s the
// restarts follow the exponential backoff (0.5 s doubling: a handful, never one a second), each
// resource says why it is failing (Degraded, CrashLoopBackOff, the last exit; never Starting), the
// healthy one keeps serving, apphost's CPU stays low, and `get res` shows it as kubectl get pods does.
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { dockerAvailable } from '../support/docker-env.ts';
import { cpuSeconds } from '../support/proc-usage.ts';
import { waitFor } from '../support/wait.ts';

const WINDOW_MS = 30_000;

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function manifest(withContainer: boolean): string {
  const docs = [
    `kind: Resource\nmetadata: {name: exits}\nspec:\n  executable: {command: sh, args: ['-c', 'echo failing; exit 1']}\n  restartPolicy: Always`,
    `kind: Resource\nmetadata: {name: missing}\nspec:\n  executable: {command: /nonexistent/apphost-no-such-binary}\n  restartPolicy: Always`,
    // Four replicas crashing together: the terminal rate-limits their exit lines.
    `kind: Resource\nmetadata: {name: burst}\nspec:\n  executable: {command: sh, args: ['-c', 'exit 3']}\n  replicas: 4`,
    `kind: Resource\nmetadata: {name: healthy}\nspec:\n  executable: {command: node, args: [app.mjs]}\n  endpoints: [{scheme: http, env: PORT}]`,
  ];
  if (withContainer) docs.push(`kind: Resource\nmetadata: {name: noimage}\nspec:\n  container: {image: nope/none, tag: '1'}\n  restartPolicy: Always`);
  return docs.map((d) => `apiVersion: apphost.dev/v1\n${d}\n`).join('---\n');
}

describe('crash loops', { timeout: 120_000 }, () => {
  let app: CliApp;
  let withContainer = false;
  const restartsSeen = new Map<string, { at: number; restarts: number }[]>();

  beforeAll(async () => {
    withContainer = await dockerAvailable();
    app = await startCliApp({ name: 'crashloop', files: { 'app.mjs': TEST_APP, 'apphost.yaml': manifest(withContainer) }, ready: /\[apphost\] healthy: Running 1\/1 ready/ });
  });
  afterAll(() => app?.stop('SIGINT'));

  it('backs off exponentially, says why, keeps the rest serving, and uses little CPU', async () => {
    const failing = ['exits', 'missing', ...(withContainer ? ['noimage'] : [])];
    const url = (await app.get('endpoints', 'healthy-http')).status.url as string;
    const pid = app.up.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    let served = 0;
    let failedRequests = 0;
    while (Date.now() - t0 < WINDOW_MS) {
      (await httpOk(url)) ? served++ : failedRequests++;
      for (const r of await app.list('replicas')) {
        const name = r.spec.resource as string;
        if (!failing.includes(name)) continue;
        const seen = restartsSeen.get(name) ?? [];
        const restarts = Number(r.status?.restarts ?? 0);
        if (seen.at(-1)?.restarts !== restarts) seen.push({ at: Date.now() - t0, restarts });
        restartsSeen.set(name, seen);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const cpu = cpuSeconds(pid) - cpu0;

    for (const name of failing) {
      const seen = restartsSeen.get(name) ?? [];
      const total = seen.at(-1)?.restarts ?? 0;
      // 0.5, 1, 2, 4, 8, 16 s apart: 4 to 7 restarts in 30 s; a fixed 1 s retry would give ~30.
      expect({ name, total, inRange: total >= 3 && total <= 8 }).toEqual({ name, total, inRange: true });
      // Gaps grow: the last gap is longer than the first.
      const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
      if (gaps.length >= 3) expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
      const res = await app.get('resources', name);
      // One rule for processes and containers: retried, so Degraded with CrashLoopBackOff (Failed is
      // for what nothing retries), never Starting.
      expect({ name, phase: res.status.phase, reason: res.status.reason }).toEqual({ name, phase: 'Degraded', reason: 'CrashLoopBackOff' });
      const conditionText = JSON.stringify(res.status.conditions ?? []) + (res.status.message ?? '');
      const why = { exits: /exit(ed)? (with )?code 1/, missing: /not found|no such file|ENOENT|does not exist/i, noimage: /image|not found|No such image/i }[name]!;
      expect({ name, why: why.test(conditionText) }).toEqual({ name, why: true });
    }
    expect(failedRequests).toBe(0);
    expect(served).toBeGreaterThan(50);
    // apphost itself: under 10 % of one core while the loops run (it was idle-waiting on backoff timers).
    expect(cpu).toBeLessThan(WINDOW_MS / 1000 / 10);
    await waitFor('healthy still Running', async () => (await app.get('resources', 'healthy')).status.phase === 'Running', 5000);
  });

  it('get res shows the restarts; -o wide the reason and the last exit, as kubectl get pods shows CrashLoopBackOff', async () => {
    const table = await runCli(['get', 'res'], app.dir);
    expect(table.code).toBe(0);
    const header = table.stdout.split('\n')[0]!.split(/\s{2,}/);
    expect(header).toContain('RESTARTS');
    const row = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))!.split(/\s{2,}/);
    for (const name of ['exits', 'missing']) {
      const cells = row(table.stdout, name);
      expect({ name, phase: cells[header.indexOf('PHASE')] }).toEqual({ name, phase: 'Degraded' });
      expect(Number(cells[header.indexOf('RESTARTS')])).toBeGreaterThanOrEqual(3);
    }
    expect(Number(row(table.stdout, 'healthy')[header.indexOf('RESTARTS')])).toBe(0);

    const wide = await runCli(['get', 'res', '-o', 'wide'], app.dir);
    expect(wide.code).toBe(0);
    const wideHeader = wide.stdout.split('\n')[0]!.split(/\s{2,}/);
    expect(wideHeader).toEqual(expect.arrayContaining(['REASON', 'MESSAGE']));
    const reason = (name: string) => row(wide.stdout, name)[wideHeader.indexOf('REASON')];
    expect({ exits: reason('exits'), missing: reason('missing'), healthy: reason('healthy') }).toEqual({ exits: 'CrashLoopBackOff', missing: 'CrashLoopBackOff', healthy: 'Ready' });
    expect(row(wide.stdout, 'missing').join('  ')).toMatch(/command not found: \/nonexistent\/apphost-no-such-binary/);
    expect(row(wide.stdout, 'exits').join('  ')).toMatch(/exit(ed)? with code 1/);

    // get replicas: a replica that does not run shows no pid (not the stale one of its last run).
    const reps = await runCli(['get', 'replicas'], app.dir);
    const repHeader = reps.stdout.split('\n')[0]!.split(/\s{2,}/);
    const states = ['exits-0', 'missing-0', 'healthy-0'].map((name) => {
      const cells = row(reps.stdout, name);
      return { name, state: cells[repHeader.indexOf('STATE')], pid: cells[repHeader.indexOf('PID')] };
    });
    for (const s of states) {
      if (s.state === 'Running') expect(s.pid).toMatch(/^\d+$/);
      else expect(s).toEqual({ ...s, pid: '<none>' });
    }
    expect(states.find((s) => s.name === 'missing-0')).toEqual({ name: 'missing-0', state: 'Failed', pid: '<none>' });
    expect(states.find((s) => s.name === 'healthy-0')!.state).toBe('Running');
  });

  it("up's terminal shows each exit with its code and when it restarts, rate-limited per resource", () => {
    const out = app.up.output();
    const lines = (re: RegExp) => out.split('\n').filter((l) => re.test(l));
    const exits = lines(/^\[apphost\] exits-0 exited with code 1; restarting in \d+(\.\d)?m?s \(\d+ restarts? so far/);
    const missing = lines(/^\[apphost\] missing-0 command not found: \/nonexistent\/apphost-no-such-binary; restarting in /);
    // Each resource exited 4-9 times in the window (see the backoff test); one line for each exit.
    expect(exits.length).toBeGreaterThanOrEqual(4);
    expect(missing.length).toBeGreaterThanOrEqual(4);
    // The restart delay grows from line to line.
    const delays = exits.map((l) => {
      const [, n, unit] = /restarting in ([\d.]+)(m?s)/.exec(l)!;
      return Number(n) * (unit === 'ms' ? 1 : 1000);
    });
    expect(delays.at(-1)!).toBeGreaterThan(delays[0]!);
    // The status line says why, not just "Degraded".
    expect(out).toMatch(/^\[apphost\] exits: Degraded \(CrashLoopBackOff\) 0\/1 ready/m);
    // burst: 4 replicas exiting together, ~20 exits in the first 10 s: at most 5 lines per 10 s,
    // and a later line says how many were left out.
    const burst = lines(/^\[apphost\] burst-\d exited with code 3/);
    const windows = Math.ceil((WINDOW_MS + 10_000) / 10_000);
    expect(burst.length).toBeGreaterThanOrEqual(5);
    expect(burst.length).toBeLessThanOrEqual(5 * windows);
    expect(burst.join('\n')).toMatch(/\d+ more exit\(s\) of burst not shown/);
  });
});
