// The CRDs in crds/ must install unchanged into a real cluster (issue 9): each file is validated
// against the apiextensions.k8s.io/v1 CustomResourceDefinition schema of the Kubernetes OpenAPI
// document (kubernetes-models) and round-tripped through @kubernetes/client-node's generated type
// map, which drops any field the API does not know. The structural-schema rules themselves are
// checked by apiserver/registry (crdErrors) in crds.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const CRDS = fileURLToPath(new URL('../../crds/', import.meta.url));

describe('crds/ against the Kubernetes CustomResourceDefinition schema', () => {
  const files = readdirSync(CRDS).filter((f) => f.endsWith('.yaml'));
  it('has the CRD files', () => expect(files.length).toBeGreaterThanOrEqual(5));
  for (const file of files) {
    it(`${file} is a valid apiextensions.k8s.io/v1 CustomResourceDefinition with no unknown field`, () => {
      const crd = parse(readFileSync(join(CRDS, file), 'utf8'));
      expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(() => new CustomResourceDefinition(crd).validate()).not.toThrow();
      const round = ObjectSerializer.serialize(ObjectSerializer.deserialize(crd, 'V1CustomResourceDefinition', ''), 'V1CustomResourceDefinition', '');
      expect(round).toEqual(JSON.parse(JSON.stringify(crd)));
    });
  }
});
