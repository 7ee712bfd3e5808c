import { stripVTControlCharacters } from 'node:util';
// Pure parts of the CLI: durations, --for, Status messages, columns, tables, targets, kubeconfig lookup.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.ts';
import { CliError, statusMessage, toCliError } from '../../src/cli/errors.ts';
import { findKubeconfig } from '../../src/cli/kubeconfig.ts';
import { Kinds, objectPath, parseTargets, qualifiedName, type KindRef } from '../../src/cli/kinds.ts';
import { age, formatColumns } from '../../src/cli/output/columns.ts';
import { parseOutput } from '../../src/cli/output/objects.ts';
import { renderTable, type Table } from '../../src/cli/output/table.ts';
import { parseFor, satisfied } from '../../src/cli/commands/wait.ts';
import { phaseText, summarize } from '../../src/cli/up/status-view.ts';
import { createExitNotices } from '../../src/cli/up/exit-notices.ts';
import type { KubeObject } from '../../src/api/types.ts';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CliError ? e.code : 'other';
  }
  return undefined;
}

const kind = (k: Partial<KindRef> & { kind: string; plural: string }): KindRef => ({
  group: 'apphost.dev',
  version: 'v1',
  singular: k.kind.toLowerCase(),
  namespaced: true,
  shortNames: [],
  verbs: [],
  ...k,
});
const kinds = new Kinds([
  kind({ kind: 'Resource', plural: 'resources', shortNames: ['res'], categories: ['apphost'] }),
  kind({ kind: 'Endpoint', plural: 'endpoints', shortNames: ['ep'], categories: ['apphost'] }),
  kind({ kind: 'PortForward', plural: 'portforwards', group: 'example.dev', shortNames: ['pf'] }),
]);

describe('durations', () => {
  it('parses kubectl durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(2000);
    expect(code(() => parseDuration('soon'))).toBe('USAGE');
    expect(code(() => parseDuration('5x'))).toBe('USAGE');
  });
});

describe('wait --for', () => {
  const obj = (conditions: unknown[], phase?: string) =>
    ({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'a' }, status: { conditions, phase } }) as KubeObject;
  it('parses and evaluates conditions, jsonpath and delete', () => {
    const ready = parseFor('condition=Ready');
    expect(ready).toEqual({ type: 'condition', condition: 'Ready', status: 'True' });
    expect(satisfied(obj([{ type: 'Ready', status: 'True' }]), ready)).toBe(true);
    expect(satisfied(obj([{ type: 'Ready', status: 'False' }]), ready)).toBe(false);
    expect(satisfied(obj([{ type: 'Ready', status: 'False' }]), parseFor('condition=Ready=False'))).toBe(true);
    expect(satisfied(undefined, ready)).toBe(false);
    const phase = parseFor('jsonpath={.status.phase}=Running');
    expect(phase).toEqual({ type: 'jsonpath', path: ['status', 'phase'], value: 'Running' });
    expect(satisfied(obj([], 'Running'), phase)).toBe(true);
    expect(satisfied(obj([], 'Pending'), phase)).toBe(false);
    expect(satisfied(undefined, parseFor('delete'))).toBe(true);
    expect(parseFor('jsonpath={.metadata.annotations.example\\.dev/seen}=yes')).toEqual({
      type: 'jsonpath',
      path: ['metadata', 'annotations', 'example.dev/seen'],
      value: 'yes',
    });
    expect(code(() => parseFor('ready'))).toBe('USAGE');
  });
});

describe('errors', () => {
  it('a 422 Status lists each cause with its field', () => {
    const msg = statusMessage({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      message: 'long',
      details: {
        kind: 'Resource',
        group: 'apphost.dev',
        name: 'api',
        causes: [
          { reason: 'FieldValueInvalid', field: 'spec.endpoints[0].port', message: 'Invalid value: 99999: must be <= 65535' },
          { reason: 'FieldValueRequired', field: 'spec.executable.command', message: 'Required value' },
        ],
      },
    });
    expect(msg).toBe(
      'Resource.apphost.dev "api" is invalid: spec.endpoints[0].port: Invalid value: 99999: must be <= 65535; spec.executable.command: Required value',
    );
  });

  it('anything thrown becomes one line', () => {
    expect(toCliError(new Error('first\n    at stack')).message).toBe('first');
    const coded = Object.assign(new Error('apphost.ts: bad'), { code: 'BUILDER_UNKNOWN_ENDPOINT' });
    expect(toCliError(coded).code).toBe('BAD_INPUT');
  });
});

describe('output', () => {
  it('pads columns like kubectl', () => {
    expect(formatColumns(['NAME', 'AGE'], [['api', '5s'], ['frontend', '10m']]).lines).toEqual([
      'NAME       AGE',
      'api        5s',
      'frontend   10m',
    ]);
  });

  it('formats ages', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    expect(age('2026-01-01T00:59:30Z', now)).toBe('30s');
    expect(age('2026-01-01T00:30:00Z', now)).toBe('30m');
    expect(age('2025-12-30T01:00:00Z', now)).toBe('2d');
    expect(age(undefined, now)).toBe('<unknown>');
  });

  it('renders server Tables: priority columns only when wide, namespace with -A', () => {
    const t: Table = {
      kind: 'Table',
      columnDefinitions: [{ name: 'Name' }, { name: 'URL' }, { name: 'Proxied', priority: 1 }],
      rows: [{ cells: ['api-http', 'http://localhost:1', true], object: { metadata: { name: 'api-http', namespace: 'default' } } }],
    };
    expect(renderTable([t]).text).toBe('NAME       URL\napi-http   http://localhost:1\n');
    expect(renderTable([t], { wide: true, withNamespace: true }).text).toBe(
      'NAMESPACE   NAME       URL                  PROXIED\ndefault     api-http   http://localhost:1   true\n',
    );
    expect(renderTable([t], { noHeaders: true }).text).toBe('api-http   http://localhost:1\n');
  });

  it('accepts only known output formats', () => {
    expect(parseOutput('yaml')).toBe('yaml');
    expect(parseOutput(undefined)).toBe('table');
    expect(code(() => parseOutput('xml'))).toBe('USAGE');
  });
});

describe('kinds and targets', () => {
  it('resolves names, short names, kinds and plural.group; builds paths', () => {
    expect(kinds.resolve('res').plural).toBe('resources');
    expect(kinds.resolve('Resource').plural).toBe('resources');
    expect(kinds.resolve('resources.apphost.dev').plural).toBe('resources');
    expect(kinds.resolve('pf').group).toBe('example.dev');
    expect(code(() => kinds.resolve('pods'))).toBe('UNKNOWN_TYPE');
    expect(objectPath(kinds.resolve('ep'), 'default', 'api-http', 'status')).toBe('/apis/apphost.dev/v1/namespaces/default/endpoints/api-http/status');
    expect(qualifiedName(kinds.resolve('res'), 'api')).toBe('resource.apphost.dev/api');
  });

  it('reads TYPE NAME..., TYPE/NAME... and TYPE1,TYPE2', () => {
    expect(parseTargets(kinds, ['res', 'a', 'b']).map((t) => `${t.kind.plural}/${t.name}`)).toEqual(['resources/a', 'resources/b']);
    expect(parseTargets(kinds, ['res/a', 'ep/b']).map((t) => `${t.kind.plural}/${t.name}`)).toEqual(['resources/a', 'endpoints/b']);
    expect(parseTargets(kinds, ['res,ep']).map((t) => t.kind.plural)).toEqual(['resources', 'endpoints']);
    expect(parseTargets(kinds, ['all']).map((t) => t.kind.plural)).toEqual(['resources', 'endpoints']);
    expect(parseTargets(kinds, ['apphost']).map((t) => t.kind.plural)).toEqual(['resources', 'endpoints']);
    expect(code(() => parseTargets(kinds, []))).toBe('USAGE');
    expect(code(() => parseTargets(kinds, ['res,ep', 'x']))).toBe('USAGE');
    expect(code(() => parseTargets(kinds, ['res/a/b']))).toBe('USAGE');
  });
});

describe('kubeconfig lookup', () => {
  const root = mkdtempSync(join(tmpdir(), 'apphostctl-kc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds .apphost/kubeconfig in the current folder or a parent', () => {
    mkdirSync(join(root, 'app', '.apphost'), { recursive: true });
    mkdirSync(join(root, 'app', 'src', 'deep'), { recursive: true });
    writeFileSync(join(root, 'app', '.apphost', 'kubeconfig'), 'x');
    expect(findKubeconfig({ cwd: join(root, 'app', 'src', 'deep') })).toBe(join(root, 'app', '.apphost', 'kubeconfig'));
    expect(findKubeconfig({ cwd: join(root, 'app') })).toBe(join(root, 'app', '.apphost', 'kubeconfig'));
  });

  it('explains how to start one when there is none', () => {
    mkdirSync(join(root, 'empty'));
    expect(() => findKubeconfig({ cwd: join(root, 'empty') })).toThrow(
      'no running apphost found (no .apphost/kubeconfig here or in a parent directory): start one with `apphostctl up`',
    );
    expect(code(() => findKubeconfig({ cwd: root, explicit: 'nope.yaml' }))).toBe('NO_APPHOST');
  });
});

describe('up status view', () => {
  it('summarizes resources, ready replicas and endpoint URLs', () => {
    const res = (name: string, replicas: number, phase?: string, reason?: string) => ({ apiVersion: 'apphost.dev/v1', kind: 'Resource' as const, metadata: { name }, spec: { replicas }, status: { phase, reason } as never });
    const rep = (name: string, resource: string, ready: boolean, restarts?: number) => ({ apiVersion: 'apphost.dev/v1', kind: 'Replica' as const, metadata: { name }, spec: { resource, index: 0 }, status: { ready, restarts } });
    const lines = summarize({
      resources: [res('web', 2, 'Running', 'Ready'), res('api', 1)],
      replicas: [rep('web-0', 'web', true, 1), rep('web-1', 'web', false, 4), rep('api-0', 'api', true)],
      endpoints: [{ apiVersion: 'apphost.dev/v1', kind: 'Endpoint', metadata: { name: 'web-http' }, spec: { resource: 'web', name: 'http' }, status: { url: 'http://localhost:5066' } }],
    });
    expect(lines).toEqual([
      { name: 'api', phase: 'Pending', reason: undefined, ready: '1/1', restarts: 0, urls: [] },
      { name: 'web', phase: 'Running', reason: 'Ready', ready: '1/2', restarts: 5, urls: ['http://localhost:5066'] },
    ]);
    expect(phaseText({ phase: 'Running', reason: 'Ready' })).toBe('Running');
    expect(phaseText({ phase: 'Degraded', reason: 'CrashLoopBackOff' })).toBe('Degraded (CrashLoopBackOff)');
    expect(phaseText({ phase: 'Stopped', reason: 'Stopped' })).toBe('Stopped');
  });

  it('prints each exit of a replica once, rate-limited per resource, saying how many were not shown', () => {
    let t = 0;
    const notices = createExitNotices({ perWindow: 2, windowMs: 10_000, now: () => t });
    const rep = (name: string, status: Record<string, unknown>) =>
      ({ apiVersion: 'apphost.dev/v1', kind: 'Replica', metadata: { name, uid: name }, spec: { resource: name.replace(/-\d+$/, ''), index: 0 }, status }) as never;
    const failed = (name: string, restarts: number) =>
      rep(name, { state: 'Failed', exitCode: 1, restarts, finishedAt: `t${restarts}`, message: `exited with code 1; restarting in ${2 ** restarts}s` });
    expect(notices.observe(rep('a-0', { state: 'Running', restarts: 0 }))).toBeUndefined();
    expect(notices.observe(failed('a-0', 0))).toBe('[apphost] a-0 exited with code 1; restarting in 1s (0 restarts so far)');
    // The same exit seen again (another status write, a watch replay): nothing.
    expect(notices.observe(failed('a-0', 0))).toBeUndefined();
    expect(notices.observe(failed('a-0', 1))).toBe('[apphost] a-0 exited with code 1; restarting in 2s (1 restart so far)');
    // Over the budget of the window: counted, not shown; another resource has its own budget.
    expect(notices.observe(failed('a-0', 2))).toBeUndefined();
    expect(notices.observe(failed('a-0', 3))).toBeUndefined();
    expect(notices.observe(failed('b-0', 0))).toMatch(/^\[apphost\] b-0 exited/);
    t = 10_000;
    expect(notices.observe(failed('a-0', 4))).toBe('[apphost] a-0 exited with code 1; restarting in 16s (4 restarts so far; 2 more exit(s) of a not shown)');
    expect(notices.observe(rep('a-0', { state: 'Failed', restarts: 5, finishedAt: 'x', message: 'command not found: x' }))).toBe('[apphost] a-0 command not found: x (5 restarts so far)');
  });
});

describe('simple kubeconfig fast path', () => {
  it("reads apphost's own kubeconfig and defers anything else to client-node", async () => {
    const { readSimpleKubeconfig } = await import('../../src/cli/simple-kubeconfig.ts');
    const ours = `apiVersion: v1
kind: Config
clusters: [{name: a, cluster: {server: "https://127.0.0.1:5", certificate-authority-data: ${Buffer.from('PEM').toString('base64')}}}]
users: [{name: a, user: {token: t0k}}]
contexts: [{name: a, context: {cluster: a, user: a, namespace: dev}}]
current-context: a
`;
    expect(readSimpleKubeconfig(ours)).toEqual({ server: 'https://127.0.0.1:5', ca: Buffer.from('PEM'), token: 't0k', namespace: 'dev', insecure: false });
    expect(readSimpleKubeconfig(ours.replace('token: t0k', 'exec: {command: x}'))).toBeUndefined();
    expect(readSimpleKubeconfig(ours.replace('certificate-authority-data', 'certificate-authority'))).toBeUndefined();
    expect(readSimpleKubeconfig(ours.replace('current-context: a', 'current-context: b'))).toBeUndefined();
    expect(readSimpleKubeconfig('{{{')).toBeUndefined();
  });
});

describe('up live view on a terminal', () => {
  it('keeps the status block at the top (scroll region) and logs below; close resets the terminal', async () => {
    const { createStatusView } = await import('../../src/cli/up/status-view.ts');
    const out = Object.assign(new PassThrough(), { isTTY: true, rows: 30, columns: 80 }) as unknown as NodeJS.WriteStream;
    let written = '';
    (out as unknown as PassThrough).on('data', (d: Buffer) => (written += d.toString()));
    const view = createStatusView({ title: 'apphost demo', out, tty: true });
    view.update([
      { name: 'api', phase: 'Running', ready: '2/2', restarts: 0, urls: ['http://localhost:5066'] },
      { name: 'job', phase: 'Degraded', reason: 'CrashLoopBackOff', ready: '0/1', restarts: 7, urls: [] },
    ]);
    view.log('[api-0] hello');
    view.close();
    // Block: title + header + 2 rows + rule = 5 lines; logs scroll in rows 6..30.
    expect(written).toContain('\x1b[6;30r');
    expect(written).toMatch(/RESOURCE\s+PHASE\s+READY\s+RESTARTS\s+ENDPOINTS/);
    expect(written).toMatch(/api\s+\S*Running\S*\s+2\/2\s+0\s+http:\/\/localhost:5066/);
    expect(written).toMatch(/job\s+\S*Degraded \(CrashLoopBackOff\)\S*\s+0\/1\s+7\s+-/);
    expect(written.indexOf('[api-0] hello')).toBeGreaterThan(written.indexOf('\x1b[6;30r'));
    expect(written.endsWith('\x1b[r\x1b[30;1H\n')).toBe(true);
  });
});

describe('up log sink', () => {
  it('turns pino records into one readable line, buffering until the view attaches', async () => {
    const { createLogSink, formatLogRecord } = await import('../../src/cli/up/log-sink.ts');
    // Colours depend on the terminal (and on CI=true): compare the text.
    expect(stripVTControlCharacters(formatLogRecord('{"level":40,"controller":"proxies","key":"default/web-http","msg":"port 5066\\nis in use"}'))).toBe(
      '[apphost] warn proxies default/web-http: port 5066 is in use',
    );
    const sink = createLogSink('warn');
    sink.logger.warn('early');
    sink.logger.info('not shown');
    await new Promise((r) => setImmediate(r));
    const lines: string[] = [];
    sink.attach((l) => lines.push(l));
    sink.logger.error({ controller: 'x' }, 'late');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => stripVTControlCharacters(l))).toEqual(['[apphost] warn: early', '[apphost] error x: late']);
  });
});
