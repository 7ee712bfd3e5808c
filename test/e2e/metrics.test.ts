// /metrics of a running apphost (in this process, with real replica processes and real proxies),
// scraped with the real `kubectl get --raw /metrics` and parsed by the official Prometheus parser:
// the controllers' work-queue and reconcile metrics (controller-runtime's names) and the proxies'
// traffic counters move with what really happens - a scale, a request through a proxy, a reconcile
// that throws.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import pino from 'pino';
import { startApphost } from '../../src/host/start-apphost.ts';
import type { Apphost } from '../../src/host/types.ts';
import { defineController } from '../../src/runtime/define-controller.ts';
import { KUBECTL, sample, scrape, type Sample } from '../support/prometheus.ts';
import { waitFor } from '../support/wait.ts';

const run = promisify(execFile);
const ECHO = join(import.meta.dirname, '..', 'integration', 'apps', 'echo.js');
const FAIL = 'test.apphost.dev/fail';

const api: KubeObject = {
  apiVersion: 'apphost.dev/v1',
  kind: 'Resource',
  metadata: { name: 'api' },
  spec: { executable: { command: process.execPath, args: [ECHO] }, replicas: 1, endpoints: [{ name: 'http', scheme: 'http', env: 'PORT' }], stopGracePeriodSeconds: 0 },
} as KubeObject;

/** A user's controller that throws for every Resource annotated FAIL=true. */
const picky = defineController({
  name: 'picky',
  for: 'Resource',
  async reconcile(key, { client }) {
    const res = await client.get('Resource', key.namespace, key.name);
    if (res?.metadata.annotations?.[FAIL] === 'true') throw new Error(`${key.name} is marked to fail`);
  },
});

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe.skipIf(!existsSync(KUBECTL))('/metrics through kubectl get --raw', { timeout: 120_000 }, () => {
  let dir: string;
  let app: Apphost;
  const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', app.kubeconfigPath, ...args], { timeout: 20_000 });
  const metrics = () => scrape(app.kubeconfigPath);
  const proxy = () => app.store.tryGet<KubeObject & { status?: { port?: number; readyBackends?: string } }>('Proxy', 'default', 'api-http');
  const value = (s: Sample[], name: string, labels: Record<string, string>) => {
    const v = sample(s, name, labels);
    if (v === undefined) throw new Error(`no series ${name} ${JSON.stringify(labels)}`);
    return v;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-metrics-'));
    app = await startApphost({ dir, manifests: [api], controllers: [picky], gracePeriodMs: 500, docker: false, logger: pino({ level: 'silent' }) });
    await waitFor('api ready behind its proxy', () => proxy()?.status?.readyBackends === '1/1', 30_000);
  });
  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves every controller-runtime series for each controller, with its concurrency', async () => {
    const s = await metrics();
    for (const controller of ['replicas', 'proxies', 'processes', 'endpoints', 'picky']) {
      const q = { name: controller, controller };
      for (const name of ['workqueue_depth', 'workqueue_adds_total', 'workqueue_retries_total', 'workqueue_unfinished_work_seconds', 'workqueue_longest_running_processor_seconds', 'workqueue_queue_duration_seconds_count', 'workqueue_work_duration_seconds_count']) {
        expect(sample(s, name, q), `${name} ${controller}`).toBeGreaterThanOrEqual(0);
      }
      for (const result of ['success', 'error', 'requeue', 'requeue_after']) expect(sample(s, 'controller_runtime_reconcile_total', { controller, result })).toBeGreaterThanOrEqual(0);
      for (const name of ['controller_runtime_reconcile_errors_total', 'controller_runtime_terminal_reconcile_errors_total', 'controller_runtime_active_workers', 'controller_runtime_reconcile_time_seconds_count']) {
        expect(sample(s, name, { controller }), `${name} ${controller}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(value(s, 'controller_runtime_max_concurrent_reconciles', { controller: 'proxies' })).toBe(8);
    expect(value(s, 'controller_runtime_max_concurrent_reconciles', { controller: 'replicas' })).toBe(4);
    // Types as Prometheus reads them.
    expect(s.find((x) => x.name === 'workqueue_adds_total')?.type).toBe('counter');
    expect(s.find((x) => x.name === 'workqueue_depth')?.type).toBe('gauge');
    expect(s.find((x) => x.name === 'controller_runtime_reconcile_time_seconds_bucket')?.type).toBe('histogram');
    // The API server's own metrics share the page.
    expect(value(s, 'apiserver_storage_objects', { resource: 'resources.apphost.dev' })).toBe(1);
  });

  it('a scale grows the replicas controller\'s adds, reconciles and timings', async () => {
    const before = await metrics();
    const q = { name: 'replicas', controller: 'replicas' };
    await kubectl('scale', 'resource/api', '--replicas=2');
    await waitFor('2/2 behind the proxy', () => proxy()?.status?.readyBackends === '2/2', 30_000);
    const after = await metrics();
    expect(value(after, 'workqueue_adds_total', q)).toBeGreaterThan(value(before, 'workqueue_adds_total', q));
    expect(value(after, 'controller_runtime_reconcile_total', { controller: 'replicas', result: 'success' })).toBeGreaterThan(value(before, 'controller_runtime_reconcile_total', { controller: 'replicas', result: 'success' }));
    expect(value(after, 'controller_runtime_reconcile_time_seconds_count', { controller: 'replicas' })).toBeGreaterThan(value(before, 'controller_runtime_reconcile_time_seconds_count', { controller: 'replicas' }));
    expect(value(after, 'workqueue_work_duration_seconds_count', q)).toBeGreaterThan(value(before, 'workqueue_work_duration_seconds_count', q));
    expect(value(after, 'workqueue_queue_duration_seconds_count', q)).toBeGreaterThan(value(before, 'workqueue_queue_duration_seconds_count', q));
    expect(value(after, 'workqueue_work_duration_seconds_sum', q)).toBeGreaterThan(value(before, 'workqueue_work_duration_seconds_sum', q));
    // The queue drains once the scale is done; the proxies controller requeues itself (requeue_after).
    await waitFor('the replicas queue drained', async () => value(await metrics(), 'workqueue_depth', q) === 0, 10_000, 100);
    expect(value(after, 'controller_runtime_reconcile_total', { controller: 'proxies', result: 'requeue_after' })).toBeGreaterThan(0);
    expect(value(after, 'workqueue_retries_total', { name: 'proxies', controller: 'proxies' })).toBeGreaterThan(0);
  });

  it('a request through the proxy moves that proxy\'s connection and byte counters', async () => {
    const labels = { namespace: 'default', name: 'api-http' };
    const before = await metrics();
    const connections = value(before, 'apphost_proxy_connections_total', labels);
    const received = value(before, 'apphost_proxy_received_bytes_total', labels);
    const sent = value(before, 'apphost_proxy_sent_bytes_total', labels);
    expect(value(before, 'apphost_proxy_open_connections', labels)).toBe(0);
    expect(await httpGet(proxy()!.status!.port!)).toContain('/');
    // Proxy worker processes report their counters a moment later.
    const after = await waitFor('the proxy counted the request', async () => {
      const s = await metrics();
      return value(s, 'apphost_proxy_connections_total', labels) > connections && value(s, 'apphost_proxy_sent_bytes_total', labels) > sent ? s : undefined;
    }, 15_000, 200);
    expect(value(after, 'apphost_proxy_connections_total', labels)).toBe(connections + 1);
    expect(value(after, 'apphost_proxy_received_bytes_total', labels)).toBeGreaterThan(received + 'GET / HTTP/1.1'.length);
    expect(value(after, 'apphost_proxy_failed_connects_total', labels)).toBe(0);
    expect(after.find((x) => x.name === 'apphost_proxy_connections_total')?.type).toBe('counter');
  });

  it('a reconcile that throws counts in errors and retries, and success after it is fixed', async () => {
    const errors = { controller: 'picky' };
    const q = { name: 'picky', controller: 'picky' };
    const before = await metrics();
    expect(value(before, 'controller_runtime_reconcile_errors_total', errors)).toBe(0);
    await kubectl('annotate', 'resource/api', `${FAIL}=true`);
    const failing = await waitFor('picky failed twice (once, then its retry)', async () => {
      const s = await metrics();
      return value(s, 'controller_runtime_reconcile_errors_total', errors) >= 2 ? s : undefined;
    }, 15_000, 100);
    expect(value(failing, 'controller_runtime_reconcile_total', { controller: 'picky', result: 'error' })).toBeGreaterThanOrEqual(2);
    expect(value(failing, 'workqueue_retries_total', q)).toBeGreaterThan(value(before, 'workqueue_retries_total', q));
    expect(value(failing, 'controller_runtime_terminal_reconcile_errors_total', errors)).toBe(0);
    // Other controllers saw the same annotation change and did not fail.
    expect(value(failing, 'controller_runtime_reconcile_errors_total', { controller: 'replicas' })).toBe(0);

    const successes = value(failing, 'controller_runtime_reconcile_total', { controller: 'picky', result: 'success' });
    await kubectl('annotate', 'resource/api', `${FAIL}-`);
    const fixed = await waitFor('picky succeeded again', async () => {
      const s = await metrics();
      return value(s, 'controller_runtime_reconcile_total', { controller: 'picky', result: 'success' }) > successes ? s : undefined;
    }, 40_000, 200);
    expect(value(fixed, 'controller_runtime_active_workers', errors)).toBe(0);
  });
});
