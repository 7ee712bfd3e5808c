// A hung replica behind a real proxy in front of two real replicas, through the real `apphostctl up`:
// - SIGSTOPped, with the default probe (TCP connect, which a stopped process still passes: the kernel
//   accepts for it): the process probe sees it stopped, and it leaves the rotation at the next probe;
// - its event loop stuck (a busy loop), with an http healthCheck: the probe times out (never longer
//   than the interval) and it leaves the rotation.
// New connections then all go to the other replica, promptly; once it answers again it comes back.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { isRunning } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

const PROBE_PERIOD_MS = 1000;

/** One new connection: the body and how long it took (undefined: no answer within 3 s). */
function fetchOnce(url: string): Promise<{ body?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ body, ms: Date.now() - t0 }));
    });
    req.on('error', () => resolve({ ms: Date.now() - t0 }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

// TEST_APP's answers, plus /hang: blocks the event loop for 6 s (a deadlock that ends by itself).
const HANG_APP = `
import { createServer } from 'node:http';
const name = process.env.APPHOST_REPLICA ?? 'app';
const server = createServer((req, res) => {
  if (req.url === '/hang') { const end = Date.now() + 6000; while (Date.now() < end) {} }
  res.end(req.url === '/health' ? 'ok' : 'hello from ' + name);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const cases = [
  { name: 'SIGSTOP, default probe', healthCheck: '', hang: 'sigstop' as const },
  { name: 'busy event loop, http healthCheck', healthCheck: `\n  healthCheck: {endpoint: http, path: /health, intervalSeconds: ${PROBE_PERIOD_MS / 1000}}`, hang: 'busy' as const },
];

describe.each(cases)('hung replica: $name', { timeout: 90_000 }, ({ healthCheck, hang }) => {
  let app: CliApp;
  let stopped: number | undefined;

  beforeAll(async () => {
    const manifest = `apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: web}\nspec:\n  executable: {command: node, args: [app.mjs]}\n  replicas: 2\n  endpoints: [{scheme: http, env: PORT}]${healthCheck}\n`;
    app = await startCliApp({ name: 'hung', files: { 'app.mjs': HANG_APP, 'apphost.yaml': manifest }, ready: /\[apphost\] web: Running 2\/2 ready/ });
  });
  afterAll(async () => {
    if (stopped && isRunning(stopped)) process.kill(stopped, 'SIGCONT');
    await app?.stop('SIGINT');
  });

  it('takes it out of rotation within its probe period, sends new connections elsewhere, and brings it back', async () => {
    const url = (await app.get('endpoints', 'web-http')).status.url as string;
    const backends = async () => ((await app.get('proxies', 'web-http'))?.spec?.backends ?? []) as { name: string; ready?: boolean }[];
    const inRotation = async (name: string) => (await backends()).some((b) => b.name === name && b.ready !== false);
    await waitFor('both replicas in rotation', async () => (await inRotation('web-0')) && (await inRotation('web-1')), 10_000);
    const rep = await app.get('replicas', 'web-0');
    const port = (rep.status.ports as { name: string; targetPort: number }[]).find((p) => p.name === 'http')!.targetPort;

    const t0 = Date.now();
    if (hang === 'sigstop') {
      stopped = rep.status.pid as number;
      process.kill(stopped, 'SIGSTOP');
    } else {
      void fetchOnce(`http://127.0.0.1:${port}/hang`);
    }
    await waitFor('web-0 out of rotation', async () => !(await inRotation('web-0')), 10_000, 20);
    const outMs = Date.now() - t0;
    console.log(`${hang}: out of rotation in ${outMs} ms (probe period ${PROBE_PERIOD_MS} ms)`);
    // The next probe (at most one period away) fails: at once for a stopped process, after its
    // timeout (capped at the period) for a busy one; then the proxy's backends follow.
    expect(outMs).toBeLessThanOrEqual((hang === 'sigstop' ? 1 : 2) * PROBE_PERIOD_MS + 500);
    expect(await app.get('replicas', 'web-0')).toMatchObject({ status: { ready: false } });

    // Every new connection now goes to web-1, promptly.
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await fetchOnce(url));
    expect(answers.map((a) => a.body)).toEqual(answers.map(() => 'hello from web-1'));
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(500);

    if (stopped) process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    await waitFor('web-0 back in rotation', () => inRotation('web-0'), 15_000);
    const bodies = new Set<string | undefined>();
    for (let i = 0; i < 20; i++) bodies.add((await fetchOnce(url)).body);
    expect([...bodies].sort()).toEqual(['hello from web-0', 'hello from web-1']);
  });
});
