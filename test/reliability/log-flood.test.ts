// A replica that floods its output (issue 14 items 8 and 14), through the real `apphostctl up`: 50 MB
// of lines while another resource serves through its proxy. apphost keeps a bounded ring per replica
// (lines and bytes), folds the flood in its terminal output (`[flood] N lines suppressed`), keeps the
// other app's proxy latency low, still serves the ring to `apphostctl logs`, and frees it all when
// the flooding resource is deleted.
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { floodApp } from '../support/flood-app.ts';
import { cpuSeconds, percentile, rssMiB } from '../support/proc-usage.ts';
import { waitFor } from '../support/wait.ts';

const FLOOD_LINES = 50_000;
const LINE_BYTES = 1000;
const MAX_REQUESTS = 3000;

const FLOOD_APP = floodApp({ lines: FLOOD_LINES, lineBytes: LINE_BYTES });

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [web.mjs]}
  endpoints: [{scheme: http, env: PORT}]
`;

const FLOOD_RESOURCE = JSON.stringify({
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name: 'flood' },
  spec: { executable: { command: 'node', args: ['flood.mjs'] } },
});

function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

describe('log flood', { timeout: 240_000 }, () => {
  let app: CliApp;

  beforeAll(async () => {
    app = await startCliApp({ name: 'flood', files: { 'web.mjs': TEST_APP, 'flood.mjs': FLOOD_APP, 'apphost.yaml': APP_YAML }, ready: /\[apphost\] web: Running 1\/1 ready/ });
  });
  afterAll(() => app?.stop('SIGINT'));

  it('bounds log memory, folds the flood, keeps other proxies fast, and frees it on delete', async () => {
    const pid = app.up.child.pid!;
    const url = (await app.get('endpoints', 'web-http')).status.url as string;
    for (let i = 0; i < 20; i++) await timedGet(url); // warm up
    const rss0 = rssMiB(pid);
    const cpu0 = cpuSeconds(pid);
    const out0 = app.up.output().length;

    const created = await app.client.request({ method: 'POST', path: '/apis/apphost.dev/v1/namespaces/default/resources', headers: { 'content-type': 'application/json' }, body: FLOOD_RESOURCE });
    expect(created.status).toBe(201);
    const logPath = '/apis/apphost.dev/v1/namespaces/default/replicas/flood-0/log';
    const floodDone = async () => (await app.client.request({ path: `${logPath}?tailLines=1` })).text.includes('FLOOD-DONE');
    await waitFor('the flood to start', async () => (await app.client.request({ path: `${logPath}?tailLines=1` })).text.startsWith('flood '), 30_000, 5);

    // Sequential requests through web's proxy while the flood runs (bounded in count).
    const during: number[] = [];
    let peak = rss0;
    let done = false;
    for (let i = 0; i < MAX_REQUESTS && !done; i++) {
      during.push(await timedGet(url));
      if (i % 20 === 0) {
        peak = Math.max(peak, rssMiB(pid));
        done = await floodDone();
      }
    }
    await waitFor('the flood to end', floodDone, 120_000, 100);
    peak = Math.max(peak, rssMiB(pid));
    const cpu = cpuSeconds(pid) - cpu0;
    const p50 = percentile(during, 50);
    const p99 = percentile(during, 99);
    const written = app.up.output().length - out0;
    console.log(
      `log flood: ${during.length} requests during the flood p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms; RSS ${rss0.toFixed(0)} -> peak ${peak.toFixed(0)} MiB; ` +
        `apphost CPU ${cpu.toFixed(1)} s; up wrote ${(written / 1e6).toFixed(2)} MB`,
    );
    expect(during.length).toBeGreaterThanOrEqual(20);
    expect(p99).toBeLessThan(100);
    // The ring holds a few MiB per replica, not the 50 MB the replica wrote.
    expect(peak - rss0).toBeLessThan(100);
    // up's terminal output folds the flood instead of copying 50 MB.
    expect(written).toBeLessThan(5e6);
    // The count is said at most every 2 s per replica, so within a few seconds of the flood.
    await app.up.waitFor(/\[flood\] flood-0: [\d,]+ lines suppressed, see apphostctl logs replica\/flood-0/, 10_000);

    // `apphostctl logs` still serves the ring: the newest lines, ending with the last one.
    const logs = await runCli(['logs', 'replica/flood-0', '--no-prefix'], app.dir);
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('FLOOD-DONE');
    expect(lines.at(-2)).toMatch(new RegExp(`^flood ${String(FLOOD_LINES - 1).padStart(8, '0')} `));
    expect(lines.length).toBeLessThan(FLOOD_LINES);

    // Deleting the resource frees its ring: the store no longer holds its lines.
    const metrics = async () => (await app.client.request({ path: '/metrics' })).text;
    expect(Number(/^apphost_log_bytes (\S+)$/m.exec(await metrics())?.[1])).toBeGreaterThan(1e6);
    await app.client.request({ method: 'DELETE', path: '/apis/apphost.dev/v1/namespaces/default/resources/flood' });
    await waitFor('flood-0 gone', async () => !(await app.get('replicas', 'flood-0')), 30_000);
    await waitFor('its ring freed', async () => Number(/^apphost_log_bytes (\S+)$/m.exec(await metrics())?.[1]) < 100_000, 10_000);
    const rssAfter = rssMiB(pid);
    console.log(`log flood: RSS after delete ${rssAfter.toFixed(0)} MiB (baseline ${rss0.toFixed(0)})`);
    expect(rssAfter - rss0).toBeLessThan(100);
  });
});
