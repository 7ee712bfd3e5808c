// The real CLI against a real running apphost (started in-process with startApphost): tables,
// yaml/json/name output, apply/delete, scale, restart, wait, logs, describe, error lines.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApphost, type Apphost } from '../../src/host/index.ts';
import { loadManifests } from '../../src/host/manifests.ts';
import { runCli, SRC_INDEX, startCli, TEST_APP } from './support.ts';
import { createProgram } from '../../src/cli/program.ts';

const APP_YAML = `apiVersion: apphost.dev/v1
kind: Resource
metadata:
  name: web
spec:
  executable: {command: node, args: [app.mjs]}
  endpoints:
    - {scheme: http, env: PORT}
  healthCheck: {endpoint: http, path: /health}
`;

let dir: string;
let apphost: Apphost;
const cli = (...args: string[]) => runCli(args, dir);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apphostctl-e2e-'));
  writeFileSync(join(dir, 'app.mjs'), TEST_APP);
  writeFileSync(join(dir, 'apphost.yaml'), APP_YAML);
  apphost = await startApphost({
    dir,
    manifests: await loadManifests(join(dir, 'apphost.yaml')),
    docker: false,
    gracePeriodMs: 2000,
    logger: pino({ level: 'error' }),
  });
}, 60_000);

afterAll(async () => {
  await apphost?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('apphostctl against a running apphost', { timeout: 120_000 }, () => {
  it('get: table, -o json|yaml|name, wide, errors', async () => {
    const [table, json, yaml, name, missing, unknown, api, all, version, pods, ns] = await Promise.all([
      cli('get', 'resources'),
      cli('get', 'res', '-o', 'json'),
      cli('get', 'res/web', '-o', 'yaml'),
      cli('get', 'res', '-o', 'name'),
      cli('get', 'res', 'nope'),
      cli('get', 'gizmos'),
      cli('api-resources'),
      cli('get', 'all'),
      cli('version'),
      cli('get', 'pods'),
      cli('get', 'ns'),
    ]);
    // Pods are a placeholder kind (kubectl's prune allowlist): always empty.
    expect(pods).toMatchObject({ code: 0, stdout: '' });
    expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\n$/);
    expect(version.stdout).toMatch(/^Client Version: apphost \d+\.\d+\.\d+\nServer Version: v\d+\.\d+\.\d+\S* \(https:\/\/127\.0\.0\.1:\d+\)\n$/);
    expect(all.stdout).toMatch(/^resource\.apphost\.dev\/web\s+/m);
    expect(all.stdout).toMatch(/^endpoint\.apphost\.dev\/web-http\s+/m);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+/);
    expect(table.stdout).toMatch(/^web\s+/m);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'List', items: [{ kind: 'Resource', metadata: { name: 'web' } }] });
    expect(parse(yaml.stdout)).toMatchObject({ kind: 'Resource', metadata: { name: 'web' }, spec: { executable: { command: 'node' } } });
    expect(name.stdout).toBe('resource.apphost.dev/web\n');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: resources.apphost.dev "nope" not found\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: the server doesn't have a resource type "gizmos"/);
    expect(api.stdout).toMatch(/^resources\s+res\s+apphost\.dev\/v1\s+true\s+Resource$/m);
    expect(api.stdout).toMatch(/^endpoints\s+ep\s+/m);
  });

  it('--kubeconfig with a CA file (read by client-node) works from any folder', async () => {
    const text = readFileSync(apphost.kubeconfigPath, 'utf8');
    const cfg = parse(text) as { clusters: { cluster: Record<string, unknown> }[] };
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, Buffer.from(String(cfg.clusters[0].cluster['certificate-authority-data']), 'base64'));
    delete cfg.clusters[0].cluster['certificate-authority-data'];
    cfg.clusters[0].cluster['certificate-authority'] = 'ca.pem';
    const other = join(dir, 'other-kubeconfig');
    writeFileSync(other, stringify(cfg));
    const r = await runCli(['--kubeconfig', other, 'get', 'res', '-o', 'name'], tmpdir());
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('resource.apphost.dev/web\n');
  });

  it('apply: created, unchanged, configured; 422 shows each field; delete', async () => {
    const file = join(dir, 'extra.yaml');
    const extra = (replicas: number) => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: extra, labels: {team: cli}}
spec:
  executable: {command: node, args: [app.mjs]}
  replicas: ${replicas}
  endpoints: [{scheme: http, env: PORT}]
`;
    writeFileSync(file, extra(1));
    expect((await cli('apply', '-f', file)).stdout).toBe('resource.apphost.dev/extra created\n');
    expect((await cli('apply', '-f', file)).stdout).toBe('resource.apphost.dev/extra unchanged\n');
    writeFileSync(file, extra(2));
    expect((await cli('apply', '-f', file)).stdout).toBe('resource.apphost.dev/extra configured\n');
    const labelled = await cli('get', 'res', '-l', 'team=cli', '-o', 'name');
    expect(labelled.stdout).toBe('resource.apphost.dev/extra\n');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: bad}
spec:
  executable: {command: node}
  endpoints: [{name: http, port: 99999}]
`);
    const invalid = await cli('apply', '-f', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.split('\n')[0]).toMatch(/^error: Resource\.apphost\.dev "bad" is invalid: spec\.endpoints\[0\]\.port: /);
    expect(invalid.stderr).not.toMatch(/\n\s+at /);

    const dry = await cli('apply', '-f', file, '--dry-run');
    expect(dry.stdout).toBe('resource.apphost.dev/extra unchanged (server dry run)\n');

    // Like kubectl apply: what someone else set (a scale) survives re-applying a manifest that does
    // not mention it; what this manifest stopped setting (the label) goes away.
    expect((await cli('scale', 'resource/extra', '--replicas=3')).code).toBe(0);
    writeFileSync(file, extra(2).replace('  replicas: 2\n', '').replace(', labels: {team: cli}', ''));
    expect((await cli('apply', '-f', file)).stdout).toBe('resource.apphost.dev/extra configured\n');
    const reapplied = JSON.parse((await cli('get', 'res/extra', '-o', 'json')).stdout) as { spec: { replicas: number }; metadata: { labels?: object } };
    expect(reapplied.spec.replicas).toBe(3);
    expect(reapplied.metadata.labels).toBeUndefined();
    writeFileSync(file, extra(2));
    expect((await cli('apply', '-f', file)).stdout).toBe('resource.apphost.dev/extra configured\n');
    const del = await cli('delete', 'res', '-l', 'team=cli');
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('resources.apphost.dev "extra" deleted\n');
    expect((await cli('get', 'res/extra')).stderr).toBe('error: resources.apphost.dev "extra" not found\n');
    const again = await cli('delete', 'res/extra');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error: resources.apphost.dev "extra" not found');
  });

  it('scale, wait, logs (prefixed per replica), describe', async () => {
    const scaled = await cli('scale', 'resource/web', '--replicas=2');
    expect(scaled.stdout).toBe('resource.apphost.dev/web scaled\n');
    const waited = await cli('wait', '--for=jsonpath={.status.readyReplicas}=2', 'res/web', '--timeout=45s');
    expect(waited.stderr).toBe('');
    expect(waited.stdout).toBe('resource.apphost.dev/web condition met\n');
    const [logs, one, describeRes, describeEp, describeRep, describeProxies, reps] = await Promise.all([
      cli('logs', 'resource/web'),
      cli('logs', 'web-1', '--tail', '1', '--since', '1h'),
      cli('describe', 'resource/web'),
      cli('describe', 'ep', 'web-http'),
      cli('describe', 'rep/web-0'),
      cli('describe', 'proxies'),
      cli('get', 'replicas', '-o', 'name'),
    ]);
    expect(logs.stdout).toContain('[web-0] hello from web-0\n');
    expect(logs.stdout).toContain('[web-1] hello from web-1\n');
    expect(one.stdout).toBe('[web-1] hello from web-1\n');
    expect(describeRes.stdout).toMatch(/^Name:\s+web$/m);
    expect(describeRes.stdout).toMatch(/^Replicas:\s+2\/2 ready$/m);
    expect(describeRes.stdout).toMatch(/^\s+web-1\s+Running\s+true\s+0/m);
    expect(describeRes.stdout).toMatch(/^Conditions:/m);
    expect(describeEp.stdout).toMatch(/^URL:\s+http:\/\/localhost:\d+$/m);
    expect(describeEp.stdout).toMatch(/^\s+web-0\s+127\.0\.0\.1\s+\d+\s+true$/m);
    expect(describeRep.stdout).toMatch(/^State:\s+Running$/m);
    expect(describeProxies.stdout).toMatch(/^Listening On:\s+\S+:\d+$/m);
    expect(describeProxies.stdout).toMatch(/^Backends:\n\s+NAME\s+ADDRESS\s+PORT\s+READY\n\s+web-0\s+127\.0\.0\.1\s+\d+\s+true$/m);
    expect(describeRep.stdout).toMatch(/^Restarts:\s+0$/m);
    expect(reps.stdout.split('\n').filter(Boolean).sort()).toEqual(['replica.apphost.dev/web-0', 'replica.apphost.dev/web-1']);
  });

  it('get -w prints changes; logs -f follows replicas that appear', async () => {
    const watch = startCli(['get', 'res', 'web', '-w', '-o', 'json'], dir);
    const follow = startCli(['logs', '-f', 'res/web'], dir);
    try {
      await watch.waitFor(/"name": "web"/);
      await follow.waitFor(/\[web-1\] hello from web-1/);
      expect((await cli('scale', 'res/web', '--replicas', '3')).code).toBe(0);
      await watch.waitFor(/"replicas": 3/);
      await follow.waitFor(/\[web-2\] hello from web-2/);
    } finally {
      expect(await watch.stop()).toBe(0);
      expect(await follow.stop()).toBe(0);
    }
    expect((await cli('scale', 'res/web', '--replicas', '1')).code).toBe(0);
  });

  it('restart replaces every replica (rolling) and records apphost.dev/restartedAt; wait times out with a clear line', async () => {
    const before = Date.now();
    await cli('wait', '--for=delete', 'rep/web-1', 'rep/web-2', '--timeout=45s');
    const uid = (r: { stdout: string }) => (JSON.parse(r.stdout) as { metadata: { uid: string } }).metadata.uid;
    const oldUid = uid(await cli('get', 'rep/web-0', '-o', 'json'));
    const restarted = await cli('restart', 'res/web');
    expect(restarted.stderr).toBe('');
    expect(restarted.stdout).toBe('resource.apphost.dev/web restarted\n');
    const [obj, rep] = await Promise.all([cli('get', 'res/web', '-o', 'json'), cli('get', 'rep/web-0', '-o', 'json')]);
    const annotations = (JSON.parse(obj.stdout) as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    expect(Date.parse(annotations['apphost.dev/restartedAt'])).toBeGreaterThanOrEqual(before - 1000);
    expect(uid(rep)).not.toBe(oldUid);
    expect((JSON.parse(rep.stdout) as { status: { ready: boolean } }).status.ready).toBe(true);
    const timeout = await cli('wait', '--for=condition=NeverTrue', 'res/web', '--timeout=1s');
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toBe('error: timed out waiting for the condition on resources/web\n');
  });

  it('stop sets spec.stopped (every replica gone, phase Stopped, replicas kept); start brings them back; kubectl-style errors', async () => {
    const stopped = await cli('stop', 'res/web');
    expect(stopped.stderr).toBe('');
    expect(stopped.stdout).toBe('resource.apphost.dev/web stopped\n');
    expect((await cli('wait', '--for=jsonpath={.status.phase}=Stopped', 'res/web', '--timeout=30s')).code).toBe(0);
    await cli('wait', '--for=delete', 'rep/web-0', '--timeout=30s');
    const res = JSON.parse((await cli('get', 'res/web', '-o', 'json')).stdout) as { spec: { stopped: boolean; replicas: number } };
    expect(res.spec).toMatchObject({ stopped: true, replicas: 1 });
    expect((await cli('get', 'rep', '-o', 'name')).stdout).toBe('');
    const started = await cli('start', 'resource', 'web');
    expect(started.stdout).toBe('resource.apphost.dev/web started\n');
    expect((await cli('wait', '--for=condition=Ready', 'res/web', '--timeout=30s')).code).toBe(0);
    const [wrongKind, noName] = await Promise.all([cli('stop', 'ep/web-http'), cli('start', 'res')]);
    expect(wrongKind.stderr).toBe('error: only resources can be stopped, not endpoints\n');
    expect(noName.stderr).toBe('error: start needs a name: resource/NAME\n');
  });

  it('apply -f apphost.ts and manifest -f apphost.ts use the TypeScript builder', async () => {
    const ts = join(dir, 'apphost.ts');
    writeFileSync(
      ts,
      // The package by name, as a user outside this repository writes it.
      `import { createBuilder } from 'apphost';
const b = createBuilder();
const api = b.addNodeApp('tsapi', '.', 'app.mjs').withHttpEndpoint({ env: 'PORT' });
b.addNodeApp('tsweb', '.', 'app.mjs').withHttpEndpoint({ env: 'PORT' }).withReference(api).waitFor(api);
await b.build().run();
`,
    );
    writeFileSync(join(dir, 'typo.ts'), `import { createBuilder } from ${JSON.stringify(SRC_INDEX)};
const b = createBuilder();
const api = b.addNodeApp('a', '.', 'app.mjs').withHttpEndpoint();
b.addNodeApp('b', '.', 'app.mjs').withReference((api as any).getEndpoint('admin'));
await b.build().run();
`);
    const [manifest, typo] = await Promise.all([cli('manifest', '-f', ts), cli('manifest', '-f', join(dir, 'typo.ts'))]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(`error: ${join(dir, 'typo.ts')}: resource "a" has no endpoint "admin" (endpoints: http)\n`);
    expect(manifest.code).toBe(0);
    const docs = parseAllDocuments(manifest.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(['tsapi', 'tsweb']);
    expect(docs[1].spec.references).toEqual([{ resource: 'tsapi' }]);
    const applied = await cli('apply', '-f', ts);
    expect(applied.stdout).toBe('resource.apphost.dev/tsapi created\nresource.apphost.dev/tsweb created\n');
    const del = await cli('delete', '-f', ts);
    expect(del.stdout).toBe('resources.apphost.dev "tsapi" deleted\nresources.apphost.dev "tsweb" deleted\n');

  });
});

describe('describe explains why something is not ready', { timeout: 120_000 }, () => {
  it('shows the port holder of a taken port and the last exit of a crashing replica', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as AddressInfo).port;
    try {
      const file = join(dir, 'broken.yaml');
      writeFileSync(file, `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: taken}
spec:
  executable: {command: node, args: [app.mjs]}
  endpoints: [{scheme: http, port: ${port}, env: PORT}]
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: crash}
spec:
  executable: {command: node, args: ['-e', 'console.log("bye"); process.exit(3)']}
  restartPolicy: Never
`);
      expect((await cli('apply', '-f', file)).code).toBe(0);
      const [portWait, exitWait] = await Promise.all([
        cli('wait', '--for=condition=PortAllocated=False', 'ep/taken-http', '--timeout=45s'),
        cli('wait', '--for=jsonpath={.status.exitCode}=3', 'rep/crash-0', '--timeout=45s'),
      ]);
      expect(portWait.stdout + portWait.stderr).toBe('endpoint.apphost.dev/taken-http condition met\n');
      expect(exitWait.stdout + exitWait.stderr).toBe('replica.apphost.dev/crash-0 condition met\n');
      const [ep, rep, logs] = await Promise.all([cli('describe', 'ep/taken-http'), cli('describe', 'rep/crash-0'), cli('logs', 'crash-0')]);
      expect(ep.stdout).toMatch(/^Port Holder:\s+\S.*/m);
      expect(ep.stdout).toContain(String(port));
      expect(ep.stdout).toMatch(/^\s+PortAllocated\s+False\s+PortInUse\s+/m);
      expect(rep.stdout).toMatch(/^Last Exit:\n\s+Exit Code:\s+3$/m);
      expect(logs.stdout).toBe('[crash-0] bye\n');
      await cli('delete', '-f', file);
    } finally {
      holder.close();
    }
  });
});

describe('apphostctl without an apphost', { timeout: 120_000 }, () => {
  it('says how to start one; every verb has --help with an example', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'apphostctl-none-'));
    try {
      const [none, help, usage, unknown] = await Promise.all([
        runCli(['get', 'res'], empty),
        runCli(['logs', '--help'], empty),
        runCli(['scale', 'res/x'], empty),
        runCli(['frobnicate'], empty),
      ]);
      expect(none.code).toBe(1);
      expect(none.stderr).toBe(
        'error: no running apphost found (no .apphost/kubeconfig here or in a parent directory): start one with `apphostctl up`\n',
      );
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: apphostctl logs \[options\] <target>/);
      expect(help.stdout).toMatch(/Examples:\n\s+apphostctl logs /);
      // Every verb, in-process: the same help text the CLI prints.
      const program = createProgram();
      const verbs = program.commands.map((c) => c.name());
      expect(verbs.sort()).toEqual(
        ['up', 'down', 'dashboard', 'manifest', 'export', 'get', 'describe', 'apply', 'delete', 'logs', 'scale', 'restart', 'stop', 'start', 'wait', 'api-resources', 'version', 'certs'].sort(),
      );
      for (const c of program.commands) {
        let text = '';
        c.configureOutput({ writeOut: (t) => (text += t) });
        c.outputHelp();
        expect(text, c.name()).toMatch(/Examples:\n\s+apphostctl /);
        expect(text, c.name()).toContain(`apphostctl ${c.name()}`);
      }
      expect(usage.code).toBe(1);
      expect(usage.stderr).toBe("error: required option '--replicas <n>' not specified (see `apphostctl scale --help`)\n");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe("error: unknown command 'frobnicate' (see `apphostctl --help`)\n");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
