import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeProber, tcpTarget } from './fake-prober.ts';
import { probeHttp } from './probe-http.ts';
import { failureOf, probeTcp } from './probe-tcp.ts';
import { createProber } from './prober.ts';

const closers: (() => Promise<void>)[] = [];

async function listening<T extends Server | HttpServer>(server: T, host = '127.0.0.1'): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return new Promise((r) => server.listen(0, host, () => r((server.address() as { port: number }).port)));
}

/** A port nobody listens on (bound then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
  await new Promise((r) => s.close(r));
  return port;
}

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe('probeTcp', () => {
  it('is ok when something listens, and says ECONNREFUSED with the address when not', async () => {
    const port = await listening(createServer());
    expect(await probeTcp({ host: '127.0.0.1', port })).toEqual({ ok: true, code: 'PROBE_OK', message: `connected to 127.0.0.1:${port}` });
    const closed = await closedPort();
    expect(await probeTcp({ host: '127.0.0.1', port: closed, timeoutMs: 500 })).toEqual({
      ok: false,
      code: 'PROBE_REFUSED',
      message: `connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
  });

  it('never throws on a bad port, and honours an abort signal', async () => {
    expect(await probeTcp({ host: '127.0.0.1', port: 70_000 })).toMatchObject({ ok: false, code: 'PROBE_ERROR' });
    const controller = new AbortController();
    controller.abort();
    expect(await probeTcp({ host: '127.0.0.1', port: 1, signal: controller.signal })).toMatchObject({ code: 'PROBE_ABORTED' });
  });
});

describe('failureOf', () => {
  it('uses the parts of an AggregateError (happy eyeballs) instead of its empty message', () => {
    const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:4312'), { code: 'ECONNREFUSED' });
    const v4 = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4312'), { code: 'ECONNREFUSED' });
    expect(failureOf(new AggregateError([v6, v4], ''))).toEqual({
      ok: false,
      code: 'PROBE_REFUSED',
      message: 'connect ECONNREFUSED ::1:4312; connect ECONNREFUSED 127.0.0.1:4312',
    });
  });
});

describe('probeHttp', () => {
  let requests = 0;
  let openSockets = 0;

  async function app(): Promise<number> {
    const server = createHttpServer((req, res) => {
      requests++;
      if (req.url === '/health') res.end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.url === '/sick') res.writeHead(503).end('not yet');
      else if (req.url === '/silent') return; // never answers
      else res.writeHead(404).end();
    });
    server.on('connection', (s: Socket) => {
      openSockets++;
      s.on('close', () => openSockets--);
    });
    return listening(server);
  }

  it('treats 200-399 as healthy and other statuses as unhealthy, with a readable message', async () => {
    const port = await app();
    const base = `http://127.0.0.1:${port}`;
    expect(await probeHttp({ url: `${base}/health` })).toEqual({ ok: true, code: 'PROBE_OK', message: `HTTP 200 from ${base}/health` });
    expect(await probeHttp({ url: `${base}/moved` })).toMatchObject({ ok: true, message: `HTTP 302 from ${base}/moved` });
    expect(await probeHttp({ url: `${base}/sick` })).toEqual({
      ok: false,
      code: 'PROBE_HTTP_STATUS',
      message: `HTTP 503 from ${base}/sick`,
    });
    expect(await probeHttp({ url: `${base}/nope` })).toMatchObject({ ok: false, code: 'PROBE_HTTP_STATUS' });
  });

  it('leaves no connection open behind (no keep-alive)', async () => {
    const port = await app();
    requests = 0;
    for (let i = 0; i < 20; i++) await probeHttp({ url: `http://127.0.0.1:${port}/health` });
    expect(requests).toBe(20);
    const deadline = Date.now() + 2000;
    while (openSockets > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(openSockets).toBe(0);
  });

  it('times out on a server that never answers', async () => {
    const port = await app();
    const url = `http://127.0.0.1:${port}/silent`;
    const t0 = Date.now();
    expect(await probeHttp({ url, timeoutMs: 200 })).toEqual({
      ok: false,
      code: 'PROBE_TIMEOUT',
      message: `timeout after 200 ms waiting for ${url}`,
    });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('reports refused connections and invalid URLs', async () => {
    const closed = await closedPort();
    expect(await probeHttp({ url: `http://127.0.0.1:${closed}/health` })).toEqual({
      ok: false,
      code: 'PROBE_REFUSED',
      message: `connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
    expect(await probeHttp({ url: 'not a url' })).toMatchObject({ ok: false, code: 'PROBE_INVALID_URL' });
    expect(await probeHttp({ url: 'ftp://127.0.0.1/' })).toMatchObject({ ok: false, code: 'PROBE_INVALID_URL' });
  });

  it('is what createProber() uses', async () => {
    const port = await app();
    const prober = createProber();
    expect((await prober.http({ url: `http://127.0.0.1:${port}/health` })).ok).toBe(true);
    expect((await prober.tcp({ host: '127.0.0.1', port })).ok).toBe(true);
  });
});

describe('probeHttp over https', () => {
  it('accepts a self-signed local certificate (openssl-generated)', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'apphost-probe-tls-'));
    try {
      try {
        execFileSync('openssl', [
          'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        ], { stdio: 'ignore', timeout: 20_000 });
      } catch {
        ctx.skip(); // no openssl on this machine
      }
      const server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_req, res) => res.end('ok'),
      );
      const port = await listening(server);
      const url = `https://127.0.0.1:${port}/health`;
      expect(await probeHttp({ url, timeoutMs: 3000 })).toEqual({ ok: true, code: 'PROBE_OK', message: `HTTP 200 from ${url}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createFakeProber', () => {
  it('answers what the test set, refused by default, and records calls', async () => {
    const prober = createFakeProber();
    prober.set(tcpTarget('127.0.0.1', 5000), true);
    prober.set('http://localhost:5001/health', { ok: false, code: 'PROBE_HTTP_STATUS', message: 'HTTP 503 from x' });
    expect((await prober.tcp({ host: '127.0.0.1', port: 5000 })).ok).toBe(true);
    expect(await prober.http({ url: 'http://localhost:5001/health' })).toMatchObject({ code: 'PROBE_HTTP_STATUS' });
    expect(await prober.tcp({ host: '127.0.0.1', port: 5002 })).toMatchObject({ ok: false, code: 'PROBE_REFUSED' });
    expect(prober.calls()).toEqual(['tcp://127.0.0.1:5000', 'http://localhost:5001/health', 'tcp://127.0.0.1:5002']);
  });
});

describe('probeProcess', () => {
  it('says a real SIGSTOPped process is stopped, and running again after SIGCONT', async () => {
    const { spawn } = await import('node:child_process');
    const { probeProcess } = await import('./probe-process.ts');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      expect(await probeProcess({ pid })).toMatchObject({ ok: true, code: 'PROBE_OK' });
      process.kill(pid, 'SIGSTOP');
      let stopped = await probeProcess({ pid });
      for (let i = 0; i < 50 && stopped.ok; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stopped = await probeProcess({ pid });
      }
      expect(stopped).toMatchObject({ ok: false, code: 'PROBE_PROCESS_STOPPED', message: expect.stringContaining(`pid ${pid} is stopped`) });
      process.kill(pid, 'SIGCONT');
      let again = await probeProcess({ pid });
      for (let i = 0; i < 50 && !again.ok; i++) {
        await new Promise((r) => setTimeout(r, 20));
        again = await probeProcess({ pid });
      }
      expect(again.ok).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
    // A pid that does not exist: unknown, nothing to add.
    expect((await probeProcess({ pid: 2 ** 22 + 1 })).ok).toBe(true);
  });
});
