// Every printer column of every kind, against live objects of a real `apphostctl up` with real
// processes (and a container, with Docker): `kubectl get <kind> -o wide` and `apphostctl get <kind>
// -o wide` print a non-empty cell wherever the object has the column's field, and the same value.
// The columns come from the registry built from crds/ (and the core Event and Namespace
// definitions), so a new kind or column is covered without touching this test. Placeholder kinds
// (kubectl's prune allowlist: always empty) have no objects to print.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateJsonPath } from '../../apiserver/registry/jsonpath.ts';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import type { KindInfo, PrinterColumn } from '../../src/api/registry.ts';
import { runCli } from '../cli/support.ts';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { TEST_IMAGE, cleanupTestRun, dockerTestEnv } from '../support/docker-env.ts';
import { freePort, waitFor } from '../support/wait.ts';
import { connect } from 'node:net';

const run = promisify(execFile);
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const ECHO = join(import.meta.dirname, '..', 'integration', 'apps', 'echo.js');
const docker = await dockerTestEnv();

/** `one` listens on a fixed target port; the Proxy `dead` forwards to a port nobody listens on. */
const manifest = (targetPort: number, closedPort: number) => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: one}
spec:
  executable: {command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(ECHO)}]}
  endpoints: [{name: http, scheme: http, env: PORT, targetPort: ${targetPort}}]
  stopGracePeriodSeconds: 0
---
apiVersion: apphost.dev/v1
kind: Proxy
metadata: {name: dead}
spec:
  listen: {address: 127.0.0.1}
  backends: [{name: gone, address: 127.0.0.1, port: ${closedPort}}]
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: api}
spec:
  executable: {command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(ECHO)}]}
  replicas: 2
  endpoints: [{name: http, scheme: http, env: PORT}]
  healthCheck: {type: http, path: /}
  stopGracePeriodSeconds: 0
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: done}
spec:
  executable: {command: sh, args: ['-c', 'echo bye; exit 3']}
  restartPolicy: Never
${docker.available ? `---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: box, labels: {'apphost.dev/test-run': ${docker.runId}}}
spec:
  container: {image: ${JSON.stringify(TEST_IMAGE)}, command: sleep, args: ['600']}
  references: [{resource: api}]
  stopGracePeriodSeconds: 0
` : ''}`;

/** Columns this app leaves empty for a reason of its own, by kind. */
const UNFILLED: Record<string, string[]> = docker.available ? {} : { Resource: ['IMAGE'], Replica: ['CONTAINER'] };

/** Column headers as both CLIs print them, in -o wide order (Name first unless the kind places it). */
function headers(info: KindInfo): { name: string; column?: PrinterColumn }[] {
  const cols = info.printerColumns.length ? info.printerColumns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' } as PrinterColumn];
  const own = cols.some((c) => c.format === 'name');
  return [...(own ? [] : [{ name: 'NAME' }]), ...cols.map((c) => ({ name: c.name.toUpperCase(), column: c }))];
}

/** Cells by header, read at the header's offsets (cells may be empty; values may hold spaces). */
function parseTable(text: string, names: string[]): Map<string, string[]> {
  const [head, ...lines] = text.replace(/\n$/, '').split('\n');
  const starts: number[] = [];
  let from = 0;
  for (const n of names) {
    const at = head!.indexOf(n, from);
    if (at < 0) throw new Error(`header ${n} missing in: ${head}`);
    starts.push(at);
    from = at + n.length;
  }
  expect(head!.split(/\s{2,}/).map((h) => h.trim())).toEqual(names);
  const nameAt = names.indexOf('NAME');
  const rows = new Map<string, string[]>();
  for (const line of lines) {
    const cells = starts.map((s, i) => line.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trim());
    rows.set(cells[nameAt]!, cells);
  }
  return rows;
}

/** `42s`, `3m5s`, `2h`, `3d4h` -> seconds. */
function seconds(age: string): number {
  let total = 0;
  for (const [, n, unit] of age.matchAll(/(\d+)([smhdy])/g)) total += Number(n) * { s: 1, m: 60, h: 3600, d: 86400, y: 31536000 }[unit as 's']!;
  return total;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

describe.skipIf(!existsSync(KUBECTL))('printer columns of every kind: kubectl and apphostctl against live objects', { timeout: 180_000 }, () => {
  let app: CliApp;
  const served = createApphostRegistry().list().filter((k) => !k.placeholder);
  const kinds = served.filter((k) => docker.available || k.kind !== 'Network');

  beforeAll(async () => {
    app = await startCliApp({ name: `columns-${docker.runId}`, files: { 'apphost.yaml': manifest(await freePort(), await freePort()) }, ready: /\[apphost\] api: Running 2\/2 ready/, timeoutMs: 90_000 });
    await waitFor('done exited', async () => (await app.list('replicas')).some((r) => r.spec.resource === 'done' && r.status?.exitCode === 3), 30_000);
    if (docker.available) await waitFor('box running', async () => (await app.list('replicas')).some((r) => r.spec.resource === 'box' && r.status?.containerId && r.status?.state === 'Running'), 90_000);
    // One connection through `dead`: its backend refuses, the proxy records the error.
    const dead = await waitFor('dead listening', async () => (await app.get('proxies', 'dead'))?.status?.port as number | undefined, 30_000);
    await new Promise<void>((resolve) => connect({ host: '127.0.0.1', port: dead }).on('close', () => resolve()).on('error', () => undefined));
    await waitFor('the refused connect recorded', async () => (await app.get('proxies', 'dead'))?.status?.lastError, 30_000, 200);
    await waitFor('both replicas ready behind the proxy', async () => (await app.get('proxies', 'api-http'))?.spec?.backends?.filter((b: { ready?: boolean }) => b.ready !== false).length === 2, 30_000);
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
    if (docker.available) await cleanupTestRun(docker.runId);
  });

  it('covers every kind of the registry (Network only with Docker)', () => {
    expect(kinds.map((k) => k.kind).sort()).toEqual(['Endpoint', 'Event', 'Namespace', ...(docker.available ? ['Network'] : []), 'Proxy', 'Replica', 'Resource']);
  });

  for (const info of served) {
    it.skipIf(!docker.available && info.kind === 'Network')(`${info.kind}: every column set where the field is, the same in both CLIs`, async () => {
      const path = `${info.group ? `/apis/${info.group}/v1` : '/api/v1'}${info.namespaced ? '/namespaces/default' : ''}/${info.plural}`;
      const cols = headers(info);
      const names = cols.map((c) => c.name);
      const resource = info.group ? `${info.plural}.${info.group}` : info.plural;
      const list = async () => ((await app.client.request({ path })).json.items as { metadata: { name: string; resourceVersion: string } }[]);
      // Objects change now and then (a counter, an event's count): compare those that did not change
      // between the two CLIs' reads, trying again until every object has been compared once.
      const compared = new Set<string>();
      const shown = new Set<string>();
      let objects = await list();
      expect(objects.length, `live ${info.kind} objects`).toBeGreaterThan(0);
      for (let attempt = 0; attempt < 5 && compared.size < objects.length; attempt++) {
        const before = await list();
        const kubectl = await run(KUBECTL, ['--kubeconfig', app.kubeconfig.path, 'get', resource, '-o', 'wide'], { timeout: 20_000 });
        const ours = await runCli(['get', resource, '-o', 'wide'], app.dir);
        expect(ours.code, ours.stderr).toBe(0);
        const after = await list();
        objects = after;
        const k = parseTable(kubectl.stdout, names);
        const a = parseTable(ours.stdout, names);
        for (const obj of after) {
          const was = before.find((b) => b.metadata.name === obj.metadata.name);
          if (!was || was.metadata.resourceVersion !== obj.metadata.resourceVersion || compared.has(obj.metadata.name)) continue;
          const kr = k.get(obj.metadata.name);
          const ar = a.get(obj.metadata.name);
          expect(kr, `kubectl row ${obj.metadata.name}`).toBeDefined();
          expect(ar, `apphostctl row ${obj.metadata.name}`).toBeDefined();
          cols.forEach((c, i) => {
            const where = `${info.kind} ${obj.metadata.name} ${c.name}`;
            const kubectlCell = kr![i]!;
            const oursCell = ar![i] === '<none>' ? '' : ar![i]!;
            if (c.column && present(evaluateJsonPath(obj, c.column.jsonPath))) {
              expect(kubectlCell, `${where} (kubectl)`).not.toBe('');
              expect(oursCell, `${where} (apphostctl)`).not.toBe('');
            }
            if (kubectlCell !== '') shown.add(c.name);
            if (c.column?.type === 'date') expect(Math.abs(seconds(kubectlCell) - seconds(oursCell)), where).toBeLessThanOrEqual(3);
            else expect(oursCell, where).toBe(kubectlCell);
          });
          compared.add(obj.metadata.name);
        }
      }
      expect([...compared].sort()).toEqual(objects.map((o) => o.metadata.name).sort());
      // A field nothing writes is a column always empty: every column shows in some live object,
      // but for those this app has no reason to fill (listed with why).
      const blank = names.filter((n) => !shown.has(n));
      expect(blank, `${info.kind} columns empty in every row`).toEqual(UNFILLED[info.kind] ?? []);
    });
  }
});
