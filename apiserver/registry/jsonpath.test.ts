import { describe, expect, it } from 'vitest';
import { createApphostRegistry, evaluateJsonPath, findJsonPathResults, humanDuration, JsonPathError, printerCells, tableColumns } from './index.ts';

const obj = {
  metadata: { name: 'api-http', labels: { 'app.kubernetes.io/name': 'api' }, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { resource: 'api', port: 0, targetPort: 8080 },
  status: {
    url: 'http://localhost:5066',
    proxied: true,
    readyTargets: '2/2',
    targets: [
      { replica: 'api-0', port: 40001, ready: true },
      { replica: 'api-1', port: 40002, ready: false },
    ],
    conditions: [
      { type: 'PortAllocated', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'PortInUse' },
    ],
  },
};

describe('evaluateJsonPath', () => {
  it('fields, indices, wildcards', () => {
    expect(evaluateJsonPath(obj, '.status.url')).toBe('http://localhost:5066');
    expect(evaluateJsonPath(obj, '{.status.url}')).toBe('http://localhost:5066');
    expect(evaluateJsonPath(obj, '$.status.proxied')).toBe(true);
    expect(evaluateJsonPath(obj, '.spec.port')).toBe(0);
    expect(evaluateJsonPath(obj, '.status.targets[1].replica')).toBe('api-1');
    expect(evaluateJsonPath(obj, '.status.targets[-1].port')).toBe(40002);
    expect(findJsonPathResults(obj, '.status.targets[*].replica')).toEqual(['api-0', 'api-1']);
    expect(evaluateJsonPath(obj, ".status['readyTargets']")).toBe('2/2');
    expect(evaluateJsonPath(obj, '.metadata.labels.app\\.kubernetes\\.io/name')).toBe('api');
    expect(evaluateJsonPath(obj, '.')).toBe(obj);
  });

  it('filters', () => {
    expect(evaluateJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status')).toBe('False');
    expect(evaluateJsonPath(obj, ".status.conditions[?(@.type == 'Ready')].reason")).toBe('PortInUse');
    expect(evaluateJsonPath(obj, '.status.conditions[?(@.type!="Ready")].type')).toBe('PortAllocated');
    expect(findJsonPathResults(obj, '.status.targets[?(@.ready==true)].replica')).toEqual(['api-0']);
    expect(findJsonPathResults(obj, '.status.targets[?(@.port>40001)].replica')).toEqual(['api-1']);
    expect(findJsonPathResults(obj, '.status.conditions[?(@.reason)].type')).toEqual(['Ready']);
  });

  it('missing paths give undefined, never throw', () => {
    expect(evaluateJsonPath(obj, '.status.nope.deeper')).toBeUndefined();
    expect(evaluateJsonPath(obj, '.status.targets[5].port')).toBeUndefined();
    expect(evaluateJsonPath(obj, '.status.conditions[?(@.type=="Gone")].status')).toBeUndefined();
    expect(evaluateJsonPath({}, '.status.url')).toBeUndefined();
    expect(evaluateJsonPath(obj, '.status.url.length')).toBeUndefined();
  });

  it('unsupported syntax is a JsonPathError', () => {
    expect(() => evaluateJsonPath(obj, 'status.url')).toThrow(JsonPathError);
    expect(() => evaluateJsonPath(obj, '.status[')).toThrow(/unterminated/);
    expect(() => evaluateJsonPath(obj, '.a[?(@.x=~"y")]')).toThrow(JsonPathError);
  });
});

describe('humanDuration (as kubectl prints ages)', () => {
  it.each([
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [42_000, '42s'],
    [119_000, '119s'],
    [185_000, '3m5s'],
    [300_000, '5m'],
    [15 * 60_000, '15m'],
    [179 * 60_000, '179m'],
    [5 * 3600_000 + 10 * 60_000, '5h10m'],
    [12 * 3600_000, '12h'],
    [(3 * 24 + 4) * 3600_000, '3d4h'],
    [20 * 86400_000, '20d'],
    [(2 * 365 + 30) * 86400_000, '2y30d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%i ms -> %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('table printing from the CRD columns', () => {
  const registry = createApphostRegistry();
  const now = Date.parse('2026-01-01T00:05:00Z');

  it('Endpoint: name, resource, URL, proxied, targets, age, then wide columns', () => {
    const info = registry.resolve('ep')!;
    expect(tableColumns(info).map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Resource', 'string', 0],
      ['URL', 'string', 0],
      ['Proxied', 'boolean', 0],
      ['Targets', 'string', 0],
      ['Age', 'date', 0],
      ['Protocol', 'string', 1],
      ['Target Port', 'integer', 1],
      ['Ready', 'string', 1],
      ['Reason', 'string', 1],
    ]);
    expect(tableColumns(info)[0]!.format).toBe('name');
    expect(printerCells(info, obj, { now })).toEqual(['api-http', 'api', 'http://localhost:5066', true, '2/2', '5m', null, 8080, 'False', 'PortInUse']);
  });

  it('Resource: type, replicas, ready, phase, age', () => {
    const info = registry.resolve('res')!;
    const res = {
      metadata: { name: 'api', creationTimestamp: '2025-12-29T00:05:00Z' },
      spec: { executable: { command: 'node' }, replicas: 2, lifetime: 'Session' },
      status: { type: 'executable', readyReplicas: 1, phase: 'Degraded', restarts: 4, reason: 'CrashLoopBackOff', message: 'api-1 exited with code 1' },
    };
    expect(printerCells(info, res, { now })).toEqual(['api', 'executable', 2, 1, 'Degraded', 4, '3d', null, 'node', 'Session', 'CrashLoopBackOff', 'api-1 exited with code 1']);
  });

  it('cells are typed like the Kubernetes CRD table convertor', () => {
    const info = { ...registry.resolve('rep')!, printerColumns: [
      { name: 'I', type: 'integer', jsonPath: '.v' },
      { name: 'N', type: 'number', jsonPath: '.v' },
      { name: 'S', type: 'string', jsonPath: '.v' },
      { name: 'B', type: 'boolean', jsonPath: '.v' },
      { name: 'D', type: 'date', jsonPath: '.v' },
      { name: 'Bad', type: 'string', jsonPath: '.v[' },
    ] };
    expect(printerCells(info, { metadata: { name: 'x' }, v: 2.7 }, { now })).toEqual(['x', 2, 2.7, '2.7', null, null, null]);
    expect(printerCells(info, { metadata: { name: 'x' }, v: 'nope' }, { now })).toEqual(['x', null, null, 'nope', null, '<invalid>', null]);
    expect(printerCells(info, { metadata: { name: 'x' }, v: { a: 1 } }, { now })[3]).toBe('{"a":1}');
  });

  it('a CRD without columns gets Name and Age', () => {
    const info = { ...registry.resolve('net')!, printerColumns: [] };
    expect(tableColumns(info).map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(printerCells(info, { metadata: { name: 'n', creationTimestamp: '2026-01-01T00:04:18Z' } }, { now })).toEqual(['n', '42s']);
  });
});
