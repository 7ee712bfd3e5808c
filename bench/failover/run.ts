// Failover benchmark: 2 replicas behind the apphost proxy under `wrk` with a new connection per
// request (Connection: close); one replica is SIGKILLed mid-run. Reports wrk's failed requests
// (socket errors + non-2xx), the proxy's failed connects, and when the killed replica was back.
// Target: 0 failed requests.
//   node bin/run-ts.js bench/failover/run.ts [--duration 6] [--connections 16] [--kill-at 2]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Proxy, Replica, Resource } from '../../src/api/types.ts';
import { startApphost } from '../../src/host/index.ts';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '6' }, connections: { type: 'string', default: '16' }, 'kill-at': { type: 'string', default: '2' } },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const KILL_AT_MS = Number(values['kill-at']) * 1000;

if (!existsSync('/usr/bin/wrk') && !existsSync('/usr/local/bin/wrk')) {
  console.error('wrk is required (apt-get install wrk)');
  process.exit(1);
}
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const NODE_SERVER = `require('http').createServer((q, s) => s.end('ok\\n')).listen(Number(process.env.PORT), '127.0.0.1')`;

interface WrkResult {
  requests: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
  raw: string;
}

function wrk(url: string): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '-H', 'Connection: close', url], { timeout: (DURATION + 20) * 1000 }, (err, stdout) => {
      if (err) return reject(err);
      const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
      const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        requests: num(/(\d+) requests in/),
        socketErrors: { connect: Number(se?.[1] ?? 0), read: Number(se?.[2] ?? 0), write: Number(se?.[3] ?? 0), timeout: Number(se?.[4] ?? 0) },
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
        raw: stdout,
      });
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'bench-failover-'));
await writeFile(join(dir, 'index.html'), 'ok\n');
const app = await startApphost({ dir, name: 'failover', docker: false, gracePeriodMs: 1000, logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }) });
try {
  const exe = BUSYBOX ? { command: BUSYBOX, args: ['httpd', '-f', '-p', '$(PORT)', '-h', dir] } : { command: process.execPath, args: ['-e', NODE_SERVER] };
  const res: Resource = {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name: 'web', namespace: 'default' },
    spec: { executable: exe, replicas: 2, endpoints: [{ scheme: 'http', env: 'PORT' }] },
  };
  await app.apply([res]);
  const deadline = Date.now() + 30_000;
  const replicas = () => app.store.list<Replica>('Replica', { namespace: 'default' }).items;
  while (!(replicas().length === 2 && replicas().every((r) => r.status?.ready))) {
    if (Date.now() > deadline) throw new Error('replicas not ready in 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `http://127.0.0.1:${app.store.get<import('../../src/api/types.ts').Endpoint>('Endpoint', 'default', 'web-http').status!.port}/`;
  const victim = replicas().find((r) => r.spec.index === 0)!;
  const victimPid = victim.status!.pid!;

  const load = wrk(url);
  await new Promise((r) => setTimeout(r, KILL_AT_MS));
  const killedAt = Date.now();
  process.kill(victimPid, 'SIGKILL');
  let backMs: number | undefined;
  const watchBack = (async () => {
    while (Date.now() < killedAt + DURATION * 1000 + 10_000) {
      const rep = app.store.tryGet<Replica>('Replica', 'default', victim.metadata.name);
      if (rep?.status?.ready && rep.status.pid !== victimPid) {
        backMs = Date.now() - killedAt;
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const result = await load;
  await watchBack;
  await new Promise((r) => setTimeout(r, 1100)); // proxy counters are written at most once a second
  const px = app.store.get<Proxy>('Proxy', 'default', 'web-http');
  const se = result.socketErrors;
  const failed = se.connect + se.read + se.write + se.timeout + result.non2xx;
  console.log(`failover: 2 replicas of ${BUSYBOX ? 'busybox httpd' : 'a node http server'}, wrk -c${CONNECTIONS} -d${DURATION}s, new connection per request, SIGKILL of one replica at ${KILL_AT_MS / 1000}s`);
  console.log(`requests: ${result.requests} (${(result.requests / DURATION).toFixed(0)}/s)`);
  console.log(`failed requests: ${failed} (socket errors connect ${se.connect}, read ${se.read}, write ${se.write}, timeout ${se.timeout}; non-2xx ${result.non2xx}) — target 0 ${failed === 0 ? 'OK' : 'MISSED'}`);
  console.log(`proxy: failed connects retried on the other replica ${px.status?.failedConnects ?? 0}, total connections ${px.status?.totalConnections ?? 0}`);
  console.log(`killed replica restarted and ready again after ${backMs !== undefined ? `${backMs} ms` : '(not within the run)'}`);
  await writeFile(new URL('./last-result.json', import.meta.url), JSON.stringify({ requests: result.requests, failed, socketErrors: se, non2xx: result.non2xx, proxyFailedConnects: px.status?.failedConnects, backMs, at: new Date().toISOString() }, null, 2) + '\n');
} finally {
  await app.stop();
  await rm(dir, { recursive: true, force: true });
}
