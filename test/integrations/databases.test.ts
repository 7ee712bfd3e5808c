// addRedis and addPostgres for real: the builder's manifests run by startApphost on the real Docker
// Engine with the offline images of .ci/integration-images.sh. A Node replica uses
// ConnectionStrings__cache (AUTH, SET, GET through the proxy); the Postgres database is created and
// accepts the generated password (psql from outside); passwords are kept in .apphost/secrets.json
// (0600) and reused by the next run.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import net from 'node:net';
import Docker from 'dockerode';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Endpoint, KubeObject, Replica, Resource } from '../../src/api/types.ts';
import { createBuilder } from '../../src/builder/builder.ts';
import { startApphost, type Apphost } from '../../src/host/index.ts';
import { POSTGRES_IMAGE, RABBITMQ_IMAGE, REDIS_IMAGE } from '../../src/integrations/index.ts';
import { TEST_IMAGE, dockerTestEnv } from '../support/docker-env.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const env = await dockerTestEnv();
const NS = 'default';
const APPS = fileURLToPath(new URL('./apps/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

async function imagePresent(ref: string): Promise<boolean> {
  if (!env.available) return false;
  try {
    await new Docker().getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}
const IMAGES = [REDIS_IMAGE, POSTGRES_IMAGE, RABBITMQ_IMAGE].map((i) => `${i.image}:${i.tag}`);
if (env.available && !(await Promise.all(IMAGES.map(imagePresent))).every(Boolean)) {
  await run('sh', [join(REPO, '.ci/integration-images.sh')], { timeout: 300_000 });
}

const dockerIt = env.available ? it : it.skip;

/** RESP commands on one connection; resolves with the raw replies once `replies` lines of reply have come. */
function redis(port: number, commands: string[][], replies: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('connect', () => socket.write(commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('')));
    socket.on('data', (d) => {
      text += d;
      const lines = text.split('\r\n');
      if (lines.length > replies) {
        socket.end();
        resolve(lines.slice(0, replies));
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`redis on ${port}: no answer (${JSON.stringify(text)})`)), 10_000).unref();
  });
}

describe('redis, postgres and rabbitmq integrations (real dockerd)', () => {
  const dirs: string[] = [];
  let app: Apphost | undefined;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function up(dir: string, manifests: KubeObject[]): Promise<Apphost> {
    app = await startApphost({ dir, name: `int-${env.runId}`, manifests, docker: true, gracePeriodMs: 500 });
    return app;
  }

  const secrets = async (dir: string) => JSON.parse(await readFile(join(dir, '.apphost', 'secrets.json'), 'utf8')).parameters as Record<string, string>;
  const logText = (a: Apphost, replica: string) => a.logs.read(`${NS}/${replica}`).map((l) => l.line).join('\n');

  function redisApp() {
    const builder = createBuilder({ baseDir: APPS });
    const cache = builder.addRedis('cache');
    builder.addNodeApp('app', '.', 'redis-client.js').withReference(cache).waitFor(cache);
    return builder.build().manifests();
  }

  dockerIt('a Node replica does SET/GET through the proxy with ConnectionStrings__cache; the password is generated once and reused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-redis-'));
    dirs.push(dir);
    let a = await up(dir, redisApp());
    const roundtrip = /REDIS-ROUNDTRIP-(OK|FAILED) (\S+)/;
    const first = await waitFor('the app replica to talk to redis', () => roundtrip.exec(logText(a, 'app-0')) ?? undefined, 90_000, 200);
    expect(first[1], logText(a, 'app-0')).toBe('OK');
    const ep = a.store.get<Endpoint>('Endpoint', NS, 'cache-tcp');
    // Through the proxy, from the host process's side.
    expect(first[2]).toBe(`localhost:${ep.status!.port}`);
    expect(a.store.get<Resource>('Resource', NS, 'cache').status?.readyReplicas).toBe(1);

    const file = join(dir, '.apphost', 'secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const password = (await secrets(dir))['cache-password']!;
    expect(password).toMatch(/^[A-Za-z0-9]{22}$/);
    const appEnv = a.store.get<Replica>('Replica', NS, 'app-0').spec.env ?? [];
    expect(appEnv.find((e) => e.name === 'ConnectionStrings__cache')?.value).toBe(`localhost:${ep.status!.port},password=${password}`);
    expect(appEnv.find((e) => e.name === 'services__cache__tcp__0')?.value).toBe(`tcp://localhost:${ep.status!.port}`);
    // The manifests never held it, and describe does not print it.
    expect(JSON.stringify(a.store.get<Resource>('Resource', NS, 'cache').spec)).not.toContain(password);
    const described = (await run('node', [join(REPO, 'bin/apphostctl.js'), 'describe', 'replica/app-0', 'resource/cache'], { cwd: dir, timeout: 30_000 })).stdout;
    expect(described).toContain('ConnectionStrings__cache=<masked>');
    expect(described).toContain('Connection String:');
    expect(described).not.toContain(password);

    await a.stop();
    app = undefined;
    a = await up(dir, redisApp());
    const second = await waitFor('the app replica to talk to redis again', () => roundtrip.exec(logText(a, 'app-0')) ?? undefined, 90_000, 200);
    expect(second[1], logText(a, 'app-0')).toBe('OK');
    expect((await secrets(dir))['cache-password']).toBe(password);
    const cacheEnv = a.store.get<Replica>('Replica', NS, 'cache-0').spec.env ?? [];
    expect(cacheEnv.find((e) => e.name === 'REDIS_PASSWORD')?.value).toBe(password);
  }, 240_000);

  dockerIt('addPostgres().addDatabase(): the database exists and accepts the generated password; a wrong one is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-pg-'));
    dirs.push(dir);
    const builder = createBuilder({ baseDir: APPS });
    const pg = builder.addPostgres('pg');
    const orders = pg.addDatabase('orders');
    builder.addNodeApp('app', '.', 'redis-client.js').withReference(orders).waitFor(pg);
    const a = await up(dir, builder.build().manifests());

    const ready = await waitFor(
      'DatabasesReady',
      () => a.store.tryGet<Resource>('Resource', NS, 'pg')?.status?.conditions?.find((c) => c.type === 'DatabasesReady' && c.status === 'True'),
      120_000,
      200,
    );
    expect(ready.message).toContain('orders');
    const port = a.store.get<Endpoint>('Endpoint', NS, 'pg-tcp').status!.port!;
    const password = (await secrets(dir))['pg-password']!;
    const psql = (pw: string) =>
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'orders', '-tAc', 'select current_database()'], {
        env: { ...process.env, PGPASSWORD: pw, PGCONNECT_TIMEOUT: '10' },
        timeout: 20_000,
      });
    expect((await psql(password)).stdout.trim()).toBe('orders');
    await expect(psql(`${password}x`)).rejects.toThrow(/password authentication failed/);

    const appRep = await waitFor('the app replica', () => a.store.tryGet<Replica>('Replica', NS, 'app-0'), 60_000, 200);
    expect(appRep.spec.env?.find((e) => e.name === 'ConnectionStrings__orders')?.value).toBe(
      `Host=localhost;Port=${port};Username=postgres;Password=${password};Database=orders`,
    );
  }, 240_000);

  dockerIt('withDataVolume: what was written is still there after apphost restarts (named volume, saved on stop)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-redis-vol-'));
    dirs.push(dir);
    const volume = `apphost-test-${env.runId}-cache-data`;
    const manifests = () => {
      const builder = createBuilder({ baseDir: APPS });
      builder.addRedis('cache').withDataVolume(volume);
      return builder.build().manifests();
    };
    try {
      let a = await up(dir, manifests());
      const healthy = (x: Apphost) => waitFor('cache ready', () => x.store.tryGet<Resource>('Resource', NS, 'cache')?.status?.readyReplicas === 1 || undefined, 90_000, 200);
      await healthy(a);
      const password = (await secrets(dir))['cache-password']!;
      const port1 = a.store.get<Endpoint>('Endpoint', NS, 'cache-tcp').status!.port!;
      expect(await redis(port1, [['AUTH', password], ['SET', 'kept', 'across-runs']], 2)).toEqual(['+OK', '+OK']);
      await a.stop();
      app = undefined;
      a = await up(dir, manifests());
      await healthy(a);
      const port2 = a.store.get<Endpoint>('Endpoint', NS, 'cache-tcp').status!.port!;
      expect(await redis(port2, [['AUTH', password], ['GET', 'kept']], 3)).toEqual(['+OK', '$11', 'across-runs']);
    } finally {
      await app?.stop();
      app = undefined;
      await new Docker().getVolume(volume).remove({ force: true }).catch(() => undefined);
    }
  }, 240_000);

  dockerIt('addRabbitMQ: healthy by the AMQP handshake; the management API takes the generated password and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-rmq-'));
    dirs.push(dir);
    const builder = createBuilder({ baseDir: APPS });
    const bus = builder.addRabbitMQ('bus', { management: true });
    builder.addNodeApp('app', '.', 'http-only.js').withHttpEndpoint({ env: 'PORT' }).withReference(bus);
    const a = await up(dir, builder.build().manifests());
    await waitFor('bus ready (AMQP probe)', () => a.store.tryGet<Resource>('Resource', NS, 'bus')?.status?.readyReplicas === 1 || undefined, 150_000, 250);
    const password = (await secrets(dir))['bus-password']!;
    const amqp = a.store.get<Endpoint>('Endpoint', NS, 'bus-tcp').status!.port!;
    const appEnv = await waitFor('app env', () => a.store.tryGet<Replica>('Replica', NS, 'app-0')?.spec.env, 60_000, 200);
    expect(appEnv.find((e) => e.name === 'ConnectionStrings__bus')?.value).toBe(`amqp://guest:${password}@localhost:${amqp}`);
    const mgmt = a.store.get<Endpoint>('Endpoint', NS, 'bus-management').status!.url!;
    const whoami = (pw: string) => run('curl', ['-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', '-u', `guest:${pw}`, `${mgmt}/api/whoami`], { timeout: 15_000 });
    // The management listener can come up a moment after AMQP's.
    await waitFor('management API', async () => (await whoami(password)).stdout === '200' || undefined, 60_000, 500);
    expect((await whoami('guest')).stdout).toBe('401');
  }, 240_000);

  dockerIt('a container consumer reaches redis by its name and 6379 with the same ConnectionStrings__cache (shared network)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-redis-ctr-'));
    dirs.push(dir);
    const [image, tag] = TEST_IMAGE.split(':');
    const builder = createBuilder({ baseDir: APPS });
    const cache = builder.addRedis('cache');
    const script = [
      'cs="$ConnectionStrings__cache"; hp="${cs%%,*}"; pw="${cs#*password=}"',
      'echo "USING $hp"',
      'printf "AUTH %s\\r\\nSET from-container yes\\r\\nGET from-container\\r\\n" "$pw" | nc "${hp%:*}" "${hp##*:}" | tr -d "\\r" | tr "\\n" " "; echo END',
      'sleep 3600',
    ].join('; ');
    builder.addContainer('worker', { image: image!, tag: tag!, command: 'sh', args: ['-c', script] }).withReference(cache).waitFor(cache);
    const a = await up(dir, builder.build().manifests());
    const out = await waitFor('the worker to talk to redis', () => {
      const t = logText(a, 'worker-0');
      return t.includes('END') ? t : undefined;
    }, 120_000, 200);
    expect(out).toContain('USING cache:6379');
    expect(out).toMatch(/\+OK \+OK \$3 yes END/);
  }, 240_000);
});
