// The structural-schema rules a real API server applies, checked on hand-made bad schemas.
import { describe, expect, it } from 'vitest';
import { crdErrors, structuralErrors } from './index.ts';

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });

describe('structuralErrors', () => {
  it('accepts a structural schema with maps, preserve-unknown-fields, int-or-string and value-only junctors', () => {
    expect(structuralErrors(obj({
      metadata: { type: 'object' },
      spec: obj({
        a: { type: 'string' },
        m: { type: 'object', additionalProperties: { type: 'integer' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        anything: { 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
        list: { type: 'array', items: obj({ k: { type: 'string' } }, { required: ['k'] }), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] },
      }, { oneOf: [{ required: ['a'] }, { required: ['m'] }] }),
    }))).toEqual([]);
  });

  it('every node needs a type', () => {
    expect(structuralErrors(obj({ spec: obj({ a: { minimum: 1 } }) }))).toEqual([
      'openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields',
    ]);
    expect(structuralErrors(obj({ spec: { type: 'array' } }))).toEqual(['openAPIV3Schema.properties[spec].items: Required value: must be specified']);
    expect(structuralErrors(obj({ spec: { type: 'thing' } }))[0]).toMatch(/type: Unsupported value: "thing"/);
  });

  it('the root must be an object without default or nullable', () => {
    expect(structuralErrors({ type: 'string' })[0]).toMatch(/^openAPIV3Schema\.type: Unsupported value: "string"/);
    expect(structuralErrors({ type: 'object', default: {} })).toEqual(['openAPIV3Schema.default: Forbidden: must not be set at the root']);
  });

  it('properties and additionalProperties are exclusive; additionalProperties false is forbidden', () => {
    expect(structuralErrors(obj({ spec: obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } }) }))).toEqual([
      'openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
    ]);
    expect(structuralErrors(obj({ spec: { type: 'object', additionalProperties: false } }))).toEqual([
      'openAPIV3Schema.properties[spec].additionalProperties: Forbidden: must not be false',
    ]);
  });

  it('forbidden keywords: $ref, definitions, patternProperties, uniqueItems true; preserve-unknown-fields false', () => {
    const errs = structuralErrors(obj({
      a: { type: 'object', $ref: '#/x' },
      b: { type: 'object', patternProperties: {} },
      c: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      d: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
    }, { definitions: {} }));
    expect(errs.map((e) => e.split(':')[0])).toEqual([
      'openAPIV3Schema.definitions',
      'openAPIV3Schema.properties[a].$ref',
      'openAPIV3Schema.properties[b].patternProperties',
      'openAPIV3Schema.properties[c].uniqueItems',
      'openAPIV3Schema.properties[d].x-kubernetes-preserve-unknown-fields',
    ]);
  });

  it('junctors carry only value validations on fields the outer schema specifies', () => {
    const errs = structuralErrors(obj({ spec: obj({ a: { type: 'string' } }, { anyOf: [{ type: 'object' }, { properties: { b: { minimum: 1 } } }] }) }));
    expect(errs).toEqual([
      'openAPIV3Schema.properties[spec].anyOf[0].type: Forbidden: must not be used inside allOf, anyOf, oneOf or not',
      'openAPIV3Schema.properties[spec].anyOf[1].properties[b]: Required value: must be specified in the outer schema as well',
    ]);
  });

  it('metadata may only restrict name and generateName', () => {
    expect(structuralErrors(obj({ metadata: obj({ labels: { type: 'object' } }) }))).toEqual([
      'openAPIV3Schema.properties[metadata].properties[labels]: Forbidden: only name and generateName may be restricted',
    ]);
    expect(structuralErrors(obj({ metadata: { type: 'object', description: 'x' } }))[0]).toMatch(/metadata\]\.description: Forbidden/);
  });

  it('list-type map keys must be required (or defaulted) scalar properties', () => {
    const errs = structuralErrors(obj({
      l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: obj({ k: { type: 'string' } }) },
      s: { type: 'array', 'x-kubernetes-list-type': 'set', items: obj({}) },
      n: { type: 'array', 'x-kubernetes-list-type': 'map', items: obj({}) },
    }));
    expect(errs).toEqual([
      'openAPIV3Schema.properties[l].items.properties[k]: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
      'openAPIV3Schema.properties[s].items.type: Invalid value: "object": must be a scalar type if x-kubernetes-list-type is set',
      'openAPIV3Schema.properties[n].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
    ]);
  });
});

describe('crdErrors', () => {
  const good = () => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Thing', plural: 'things' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  });

  it('accepts a minimal CRD', () => {
    expect(crdErrors(good())).toEqual([]);
  });

  it('names, group, scope, storage version, schema and printer columns', () => {
    const c: any = good();
    c.apiVersion = 'apiextensions.k8s.io/v1beta1';
    c.metadata.name = 'things';
    c.spec.group = 'example';
    c.spec.names.plural = 'Things';
    c.spec.versions.push({ name: 'v2', served: true, storage: true });
    c.spec.versions[0].additionalPrinterColumns = [{ name: 'X', type: 'float', jsonPath: 'status.x' }];
    expect(crdErrors(c).map((e) => e.split(':')[0])).toEqual([
      'apiVersion',
      'spec.group',
      'spec.names.plural',
      'metadata.name',
      'spec.versions',
      'spec.versions[0].additionalPrinterColumns[0].type',
      'spec.versions[0].additionalPrinterColumns[0].jsonPath',
      'spec.versions[1].schema.openAPIV3Schema',
    ]);
  });
});
