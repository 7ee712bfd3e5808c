// Integration test harness: a real apphost (startApphost) in a temp folder, the echo test app as
// the executable, and small helpers to wait for state and to talk to endpoints over real sockets.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Endpoint, KubeObject, Replica, Resource, ResourceSpec } from '../../../src/api/types.ts';
import { startApphost } from '../../../src/host/index.ts';
import { isRunning } from '../../support/proc.ts';
import { waitFor } from '../../support/wait.ts';

export { freePort, waitFor } from '../../support/wait.ts';
import type { Apphost, StartApphostOptions } from '../../../src/host/index.ts';

export const ECHO_APP = fileURLToPath(new URL('../apps/echo.js', import.meta.url));
export const NS = 'default';

/** A Resource running the echo app with `node` (the current binary). */
export function echoResource(name: string, spec: Partial<ResourceSpec> = {}, args: string[] = []): Resource {
  return {
    apiVersion: 'apphost.dev/v1',
    kind: 'Resource',
    metadata: { name, namespace: NS },
    spec: { executable: { command: process.execPath, args: [ECHO_APP, ...args] }, ...spec },
  };
}

export interface TestApphost {
  app: Apphost;
  dir: string;
  /** Every pid any replica had (to check that none survives). */
  pids: Set<number>;
  endpoint(name: string): Endpoint | undefined;
  replicas(resource: string): Replica[];
  resource(name: string): Resource | undefined;
  /** Waits until every replica of `resource` (and `count` of them) is ready. */
  waitReady(resource: string, count: number, timeoutMs?: number): Promise<Replica[]>;
  /** Waits until the endpoint has a url and `ready` ready targets; resolves with the Endpoint. */
  waitEndpoint(name: string, ready?: number, timeoutMs?: number): Promise<Endpoint>;
  close(): Promise<void>;
}


export async function startTestApphost(manifests: KubeObject[], options: Partial<StartApphostOptions> = {}): Promise<TestApphost> {
  const dir = await mkdtemp(join(tmpdir(), 'apphost-it-'));
  const app = await startApphost({
    dir,
    manifests,
    gracePeriodMs: 2000,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    docker: false,
    ...options,
  });
  const pids = new Set<number>();
  const sub = app.store.watch<Replica>('Replica').subscribe((ev) => {
    const pid = ev.object?.status?.pid;
    if (pid) pids.add(pid);
  });
  const replicas = (resource: string) =>
    app.store.list<Replica>('Replica', { namespace: NS }).items.filter((r) => r.spec.resource === resource).sort((a, b) => a.spec.index - b.spec.index);
  const endpoint = (name: string) => app.store.tryGet<Endpoint>('Endpoint', NS, name);
  return {
    app,
    dir,
    pids,
    endpoint,
    replicas,
    resource: (name) => app.store.tryGet<Resource>('Resource', NS, name),
    waitReady: (resource, count, timeoutMs) =>
      waitFor(`${count} ready replicas of ${resource}`, () => {
        const reps = replicas(resource);
        return reps.length === count && reps.every((r) => r.status?.ready) && reps;
      }, timeoutMs),
    waitEndpoint: (name, ready = 1, timeoutMs) =>
      waitFor(`endpoint ${name} with ${ready} ready targets`, () => {
        const ep = endpoint(name);
        const n = ep?.status?.targets?.filter((t) => t.ready).length ?? 0;
        return !!ep?.status?.url && n >= ready && ep;
      }, timeoutMs),
    async close() {
      try {
        await app.stop();
      } finally {
        sub.unsubscribe();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Whether `pid` runs. A zombie (dead, not yet reaped: in a container PID 1 may never reap) is not. */
/** Whether `pid` still runs (see isRunning: a dying process is alive until its last thread exits). */
export const isAlive = isRunning;

export interface HttpAnswer {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One GET on a new connection (no keep-alive). */
export function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}


/** Answers of the echo app carry the replica name and its env. */
export interface EchoAnswer {
  replica: string;
  pid: number;
  port: number;
  env: Record<string, string>;
}
