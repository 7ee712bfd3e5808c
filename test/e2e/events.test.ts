// Core v1 Events written by the controllers, through the real `apphostctl up` and read with the real
// kubectl (get events, events --for, describe) and `apphostctl describe`: a replica that starts and
// gets ready, one that exits with code 3 and backs off (aggregated: count grows), a proxy bound, a
// port someone else holds (PortInUse naming the holder), a scale up and down (Scaled, Killed).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { freePort, waitFor } from '../support/wait.ts';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const ECHO = join(import.meta.dirname, '..', 'integration', 'apps', 'echo.js');

const manifest = (heldPort: number) => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: api}
spec:
  executable: {command: node, args: [${JSON.stringify(ECHO)}]}
  endpoints: [{scheme: http, env: PORT}]
  healthCheck: {type: http, path: /}
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: crash}
spec:
  executable: {command: sh, args: ['-c', 'exit 3']}
  restartPolicy: Always
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [${JSON.stringify(ECHO)}]}
  endpoints: [{scheme: http, env: PORT, port: ${heldPort}}]
`;

describe.skipIf(!existsSync(KUBECTL))('events from the controllers', { timeout: 120_000 }, () => {
  let app: CliApp;
  let holder: Server;
  let env: NodeJS.ProcessEnv;

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', app.kubeconfig.path, ...args], { env, timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return r.stdout;
  };
  const events = async () => (await app.client.request({ path: '/api/v1/namespaces/default/events' })).json.items as any[];
  const eventFor = async (reason: string, match: (e: any) => boolean = () => true) => (await events()).find((e) => e.reason === reason && match(e));

  beforeAll(async () => {
    const heldPort = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(heldPort, '127.0.0.1', resolve));
    app = await startCliApp({ name: 'events', files: { 'apphost.yaml': manifest(heldPort) } });
    const home = join(app.dir, 'home');
    mkdirSync(home, { recursive: true });
    env = { PATH: process.env['PATH'], HOME: home };
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => holder?.close(resolve));
  });

  it('records what a user needs to see, aggregated, as core v1 Events', async () => {
    await waitFor('api Started and Ready, crash Exited and BackOff twice, web PortInUse, a proxy Bound', async () => {
      const all = await events();
      const has = (reason: string, name: string, more: (e: any) => boolean = () => true) => all.some((e) => e.reason === reason && e.involvedObject.name === name && more(e));
      return (
        has('Started', 'api') &&
        has('Ready', 'api') &&
        has('Exited', 'crash', (e) => e.count >= 2) &&
        has('BackOff', 'crash', (e) => e.count >= 2) &&
        has('PortInUse', 'web') &&
        all.some((e) => e.reason === 'Bound' && e.involvedObject.kind === 'Proxy')
      );
    }, 60_000);
    const started = await eventFor('Started', (e) => e.involvedObject.name === 'api');
    expect(started).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      type: 'Normal',
      involvedObject: { apiVersion: 'apphost.dev/v1', kind: 'Resource', name: 'api', namespace: 'default', fieldPath: 'replicas{api-0}' },
      related: { kind: 'Replica', name: 'api-0' },
      source: { component: 'processes' },
      count: 1,
    });
    expect(started.message).toMatch(/^replica api-0 started: node \(pid \d+\)$/);
    const exited = await eventFor('Exited', (e) => e.involvedObject.name === 'crash');
    expect(exited).toMatchObject({ type: 'Warning', message: 'replica crash-0 exited with code 3' });
    expect(Date.parse(exited.lastTimestamp)).toBeGreaterThanOrEqual(Date.parse(exited.firstTimestamp));
    expect((await eventFor('BackOff', (e) => e.involvedObject.name === 'crash')).message).toMatch(/^back-off restarting replica crash-0: next try in \S+$/);
    expect((await eventFor('PortInUse', (e) => e.involvedObject.name === 'web')).message).toContain(`held by pid ${process.pid}`);
  });

  it('kubectl get events, events --for and describe show them', async () => {
    const table = await ok('get', 'events');
    expect(table.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(table).toMatch(/\sWarning\s+Exited\s+resource\/crash\s+replica crash-0 exited with code 3/);
    expect(table).toMatch(/\sNormal\s+Ready\s+resource\/api\s+replica api-0 is ready/);

    const forCrash = await ok('events', '--for', 'resource/crash');
    expect(forCrash).toMatch(/\(x\d+ over \S+\)\s+Warning\s+Exited\s+Resource\/crash\s+replica crash-0 exited with code 3/);
    expect(forCrash).not.toContain('resource/api');

    const described = await ok('describe', 'resource/api');
    const section = described.slice(described.indexOf('\nEvents:'));
    expect(section).toMatch(/Normal\s+Started\s+\S+\s+processes\s+replica api-0 started/);
    expect(section).toMatch(/Normal\s+Ready\s+\S+\s+health\s+replica api-0 is ready/);
  });

  it('scaling records Scaled, and Killed for the replica that goes', async () => {
    await ok('scale', 'resource/api', '--replicas=2');
    await waitFor('api-1 started', () => eventFor('Started', (e) => e.involvedObject.fieldPath === 'replicas{api-1}'), 30_000);
    await ok('scale', 'resource/api', '--replicas=1');
    const killed = await waitFor('api-1 Killed', () => eventFor('Killed', (e) => e.involvedObject.fieldPath === 'replicas{api-1}'), 30_000);
    expect(killed.message).toMatch(/^replica api-1 stopped: /);
    const scaled = await eventFor('Scaled', (e) => e.involvedObject.name === 'api');
    expect(scaled).toMatchObject({ source: { component: 'replicas' }, message: 'scaled down from 2 to 1 replica' });
    expect(scaled.count).toBeGreaterThanOrEqual(2);
  });

  it('apphostctl describe lists the events of a resource and of a replica', async () => {
    const res = await runCli(['describe', 'resource/crash'], app.dir);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Events:\n\s+TYPE\s+REASON\s+AGE\s+FROM\s+MESSAGE$/m);
    expect(res.stdout).toMatch(/Warning\s+Exited\s+\S+ \(x\d+ over \S+\)\s+processes\s+replica crash-0 exited with code 3/);
    const rep = await runCli(['describe', 'replica/crash-0'], app.dir);
    expect(rep.stdout).toMatch(/Warning\s+BackOff\s+.*back-off restarting replica crash-0/);
  });
});
