// Soak with churn (issue 11), through the real `apphostctl up`, for SOAK_SECONDS (default 60; the
// long form is `bench/soak`). Each cycle: scale web (apphostctl scale), SIGKILL one of its replicas,
// edit its spec (restart by template), a replica flooding 5 MB of logs then deleted, 100 watches
// opened and dropped (half of them never read), `apphostctl logs`. After every step: the Endpoint's
// ready targets are the ready replicas and apphost listens on exactly the ports it listened on at
// the start. At the end, after scaling back: apphost's RSS and open fds are back near the baseline
// taken after one warm-up cycle. SOAK_RESULT=<file> writes the figures as JSON.
import { writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_APP } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { floodApp } from '../support/flood-app.ts';
import { listeningPorts } from '../support/proc.ts';
import { openFds, rssMiB } from '../support/proc-usage.ts';
import { waitFor } from '../support/wait.ts';
import { seeded } from '../support/seeded.ts';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const MAX_CYCLES = 10_000;
const WATCHES_PER_CYCLE = 100;
const FLOOD_LINES = 5000; // of 1 KB: 5 MB a cycle
const BASE = '/apis/apphost.dev/v1/namespaces/default';
/** RSS may end this far above the baseline (V8 keeps some heap it grew into), fds this many. */
const RSS_SLACK_MIB = 80;
const FD_SLACK = 8;

const FLOOD_APP = floodApp({ lines: FLOOD_LINES, lineBytes: 1000 });

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [web.mjs]}
  replicas: 2
  endpoints: [{scheme: http, env: PORT}]
  healthCheck: {endpoint: http, path: /health}
`;

describe('soak with churn', { timeout: (SOAK_SECONDS + 240) * 1000 }, () => {
  let app: CliApp;

  beforeAll(async () => {
    app = await startCliApp({ name: 'soak', files: { 'web.mjs': TEST_APP, 'flood.mjs': FLOOD_APP, 'apphost.yaml': APP_YAML }, ready: /\[apphost\] web: Running 2\/2 ready/ });
  });
  afterAll(() => app?.stop('SIGINT'));

  it(`keeps its invariants, memory and fds flat over ${SOAK_SECONDS} s of churn`, async () => {
    const pid = app.up.child.pid!;
    const random = seeded(Number(process.env.SOAK_SEED ?? 11));
    const ports0 = listeningPorts(pid);
    const { port: apiPort } = new URL(app.kubeconfig.server);
    const json = { 'content-type': 'application/merge-patch+json' };
    const counts = { cycles: 0, kills: 0, specEdits: 0, scales: 0, watches: 0, stalledWatches: 0, floodMB: 0, logBytesPeak: 0 };

    const logBytesNow = async () => Number(/^apphost_log_bytes (\S+)$/m.exec((await app.client.request({ path: '/metrics' })).text)?.[1]);
    const replicasOf = async () => (await app.list('replicas')).filter((r) => r.spec.resource === 'web');
    /** Endpoint targets == ready replicas == desired, and no port opened or left behind. */
    const steady = async (desired: number, what: string, extra: (reps: any[]) => boolean = () => true) => {
      await waitFor(`${what}: ${desired} ready replicas, each a ready target of web-http`, async () => {
        const reps = await replicasOf();
        const ready = reps.filter((r) => r.status?.ready).map((r) => r.metadata.name).sort();
        const ep = await app.get('endpoints', 'web-http');
        const targets = (ep?.status?.targets ?? []).filter((t: any) => t.ready).map((t: any) => t.replica).sort();
        return reps.length === desired && ready.length === desired && JSON.stringify(targets) === JSON.stringify(ready) && extra(reps);
      }, 60_000, 100);
      await waitFor(`${what}: apphost listens on the same ports`, () => JSON.stringify(listeningPorts(pid)) === JSON.stringify(ports0), 15_000, 100);
    };

    let replicas = 2;
    let gen = 0;
    const cycle = async (i: number) => {
      replicas = 1 + Math.floor(random() * 4);
      const scaled = await runCli(['scale', 'resource/web', `--replicas=${replicas}`], app.dir);
      expect(scaled.code, scaled.stderr).toBe(0);
      counts.scales++;
      await steady(replicas, `cycle ${i} scale`);

      const reps = await replicasOf();
      const victim = reps[Math.floor(random() * reps.length)]!;
      process.kill(victim.status.pid, 'SIGKILL');
      counts.kills++;
      await steady(replicas, `cycle ${i} kill ${victim.metadata.name}`, (rs) => rs.every((r) => r.status?.pid !== victim.status.pid));

      gen++;
      const edited = await app.client.request({ method: 'PATCH', path: `${BASE}/resources/web`, headers: json, body: JSON.stringify({ spec: { env: [{ name: 'SOAK_GEN', value: String(gen) }] } }) });
      expect(edited.status).toBe(200);
      counts.specEdits++;
      await steady(replicas, `cycle ${i} spec edit`, (rs) => rs.every((r) => r.status?.env?.some((e: any) => e.name === 'SOAK_GEN' && e.value === String(gen))));

      const flood = `flood-${i}`;
      const created = await app.client.request({ method: 'POST', path: `${BASE}/resources`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: flood }, spec: { executable: { command: 'node', args: ['flood.mjs'] } } }) });
      expect(created.status).toBe(201);

      // Watches while the flood runs: half read (and are dropped), half never read (raw sockets).
      const readers = Array.from({ length: WATCHES_PER_CYCLE / 2 }, () => app.client.stream({ path: `${BASE}/replicas?watch=1` }));
      const stalled: tls.TLSSocket[] = [];
      for (let w = 0; w < WATCHES_PER_CYCLE / 2; w++) {
        const socket = tls.connect({ host: '127.0.0.1', port: Number(apiPort), ca: app.kubeconfig.ca, servername: 'localhost' });
        socket.on('error', () => undefined);
        socket.once('secureConnect', () => {
          socket.write(`GET ${BASE}/resources?watch=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.kubeconfig.token}\r\n\r\n`);
          socket.pause();
        });
        stalled.push(socket);
      }
      await Promise.all(readers.map((r) => r.headersIn));
      counts.watches += WATCHES_PER_CYCLE;
      counts.stalledWatches += stalled.length;

      await waitFor(`${flood} to finish`, async () => (await app.client.request({ path: `${BASE}/replicas/${flood}-0/log?tailLines=1` })).text.includes('FLOOD-DONE'), 60_000, 100);
      counts.floodMB += (FLOOD_LINES * 1000) / 1e6;
      // Log memory is bounded while it floods: at most one 2 MiB ring per replica.
      const logBytes = await logBytesNow();
      expect(logBytes).toBeLessThanOrEqual((replicas + 1) * 2 * 1024 * 1024);
      counts.logBytesPeak = Math.max(counts.logBytesPeak, logBytes);
      for (const r of readers) r.abort();
      for (const s of stalled) s.destroy();
      expect((await app.client.request({ method: 'DELETE', path: `${BASE}/resources/${flood}` })).status).toBe(200);
      await waitFor(`${flood} gone`, async () => !(await app.get('replicas', `${flood}-0`)), 30_000, 100);

      const logs = await runCli(['logs', 'resource/web', '--tail', '5'], app.dir);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toMatch(/hello from web-\d/);
      await steady(replicas, `cycle ${i} end`);
      counts.cycles++;
    };

    // Warm-up: one cycle, so the baseline includes what the first of everything allocates.
    await cycle(0);
    const rss0 = rssMiB(pid);
    const fds0 = openFds(pid);
    let rssPeak = rss0;
    let fdsPeak = fds0;
    const deadline = Date.now() + SOAK_SECONDS * 1000;
    for (let i = 1; i < MAX_CYCLES && Date.now() < deadline; i++) {
      await cycle(i);
      rssPeak = Math.max(rssPeak, rssMiB(pid));
      fdsPeak = Math.max(fdsPeak, openFds(pid));
    }

    expect((await runCli(['scale', 'resource/web', '--replicas=2'], app.dir)).code).toBe(0);
    await steady(2, 'end');
    const fdsEnd = await waitFor('open fds back near the baseline', () => (openFds(pid) <= fds0 + FD_SLACK ? openFds(pid) : false), 30_000, 200);
    const rssEnd = await waitFor('RSS back near the baseline', () => (rssMiB(pid) <= rss0 + RSS_SLACK_MIB ? rssMiB(pid) : false), 30_000, 500).catch(() => rssMiB(pid));
    const logBytes = await logBytesNow();
    const result = { seconds: SOAK_SECONDS, ...counts, rssBaselineMiB: Math.round(rss0), rssPeakMiB: Math.round(rssPeak), rssEndMiB: Math.round(rssEnd), fdsBaseline: fds0, fdsPeak, fdsEnd, logBytesEnd: logBytes };
    console.log(`soak: ${JSON.stringify(result)}`);
    if (process.env.SOAK_RESULT) writeFileSync(process.env.SOAK_RESULT, `${JSON.stringify(result, null, 2)}\n`);

    expect(counts.cycles).toBeGreaterThanOrEqual(2);
    expect(fdsEnd).toBeLessThanOrEqual(fds0 + FD_SLACK);
    expect(rssEnd).toBeLessThanOrEqual(rss0 + RSS_SLACK_MIB);
    // Only web's two replicas still have rings, each within its 2 MiB bound.
    expect(logBytes).toBeLessThanOrEqual(2 * 2 * 1024 * 1024);
  });
});
