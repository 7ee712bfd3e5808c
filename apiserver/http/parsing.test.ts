// Pure parts of the server: routes, Accept negotiation, Warning headers, body depth.
import { describe, expect, it } from 'vitest';
import { isApiError } from '../../src/api/status.ts';
import { depthExceeds } from './body.ts';
import { negotiateView, wantsAggregatedDiscovery } from './negotiate.ts';
import { boolParam } from './query.ts';
import { warningHeader, warningHeaders } from './respond.ts';
import { parseRoute } from './routes.ts';

describe('parseRoute', () => {
  it('parses discovery, OpenAPI and object paths', () => {
    expect(parseRoute('/version')).toEqual({ type: 'version' });
    expect(parseRoute('/apis/apphost.dev/v1')).toEqual({ type: 'groupVersion', group: 'apphost.dev', version: 'v1' });
    expect(parseRoute('/openapi/v3/apis/apphost.dev/v1')).toEqual({ type: 'openapiGroupVersion', group: 'apphost.dev', version: 'v1' });
    expect(parseRoute('/apis/apphost.dev/v1/namespaces/default/replicas/api-0/log')).toEqual({
      type: 'objects', group: 'apphost.dev', version: 'v1', namespace: 'default', plural: 'replicas', name: 'api-0', subresource: 'log', watchPath: false,
    });
    expect(parseRoute('/apis/apphost.dev/v1/resources')).toMatchObject({ type: 'objects', namespace: undefined, plural: 'resources', name: undefined });
    expect(parseRoute('/apis/apphost.dev/v1/watch/namespaces/ns/endpoints/e')).toMatchObject({ watchPath: true, namespace: 'ns', plural: 'endpoints', name: 'e' });
    expect(parseRoute('/apis/apphost.dev/v1/watch/namespaces/ns/endpoints/e/status')).toEqual({ type: 'notFound' });
    expect(parseRoute('/apis/g/v/namespaces/ns/a/b/c/d')).toEqual({ type: 'notFound' });
    // A Namespace's own status subresource is not a kind inside it; other core paths still are.
    expect(parseRoute('/api/v1/namespaces/dev/status')).toMatchObject({ group: '', namespace: undefined, plural: 'namespaces', name: 'dev', subresource: 'status' });
    expect(parseRoute('/api/v1/namespaces/dev/events')).toMatchObject({ group: '', namespace: 'dev', plural: 'events', name: undefined });
    expect(parseRoute('/api/v1/namespaces/dev')).toMatchObject({ namespace: undefined, plural: 'namespaces', name: 'dev' });
    expect(parseRoute('/apis/g/v/namespaces/dev/status')).toMatchObject({ namespace: 'dev', plural: 'status' });
    expect(parseRoute('/openapi/v3/api/v1')).toEqual({ type: 'openapiGroupVersion', group: '', version: 'v1' });
    expect(parseRoute('/nothing')).toEqual({ type: 'notFound' });
    expect(parseRoute('/apis/apphost.dev/v1/namespaces/default/resources/a%2Fb')).toMatchObject({ name: 'a/b' });
  });

  it('answers a malformed escape with BadRequest', () => {
    let err: unknown;
    try {
      parseRoute('/apis/g/v/namespaces/%E0%A4%A/x');
    } catch (e) {
      err = e;
    }
    expect(isApiError(err, 'BadRequest')).toBe(true);
  });
});

describe('negotiation', () => {
  it('picks the view from the first acceptable media range', () => {
    expect(negotiateView(undefined)).toBe('object');
    expect(negotiateView('application/json')).toBe('object');
    expect(negotiateView('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe('table');
    expect(negotiateView('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toBe('table');
    expect(negotiateView('application/json, application/json;as=Table;v=v1;g=meta.k8s.io')).toBe('object');
    expect(negotiateView('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toBe('metadata');
    expect(negotiateView('application/json;as=Table;v=v9;g=other.io')).toBe('object');
    expect(negotiateView('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe('object');
  });

  it('recognises aggregated discovery v2 only', () => {
    expect(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json')).toBe(true);
    expect(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')).toBe(false);
    expect(wantsAggregatedDiscovery('application/json')).toBe(false);
  });
});

describe('warning headers', () => {
  it('escapes quotes, backslashes, newlines and non-ASCII', () => {
    expect(warningHeader('unknown field "spec.x"')).toBe('299 - "unknown field \\"spec.x\\""');
    expect(warningHeader('a\nb\\c é')).toBe('299 - "a b\\\\c \\u00e9"');
    for (const h of warningHeaders(['ü'.repeat(10_000), ...Array.from({ length: 100 }, (_, i) => `w${i}`.repeat(50))])) {
      expect(h).toMatch(/^299 - "[\x20-\x7e]*"$/);
    }
  });
});

describe('depthExceeds', () => {
  it('counts nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthExceeds(deep, 512)).toBe(true);
    expect(depthExceeds({ a: { b: [{ c: 1 }] } }, 4)).toBe(false);
    expect(depthExceeds({ a: { b: [{ c: {} }] } }, 4)).toBe(true);
    expect(depthExceeds('x', 0)).toBe(false);
  });
});

describe('boolParam', () => {
  it("parses what Go's strconv.ParseBool parses, and nothing else", () => {
    const parse = (v: string) => boolParam(new URLSearchParams({ watch: v }), 'watch');
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parse(v)).toBe(true);
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False', '']) expect(parse(v)).toBe(false);
    expect(boolParam(new URLSearchParams(), 'watch')).toBe(false);
    for (const v of ['yes', 'tRUE', 'on', '2', ' true']) {
      let err: unknown;
      try {
        parse(v);
      } catch (e) {
        err = e;
      }
      expect(isApiError(err, 'BadRequest')).toBe(true);
    }
  });
});
