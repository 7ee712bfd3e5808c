// A minimal in-memory Registry for the store's contract tests: two kinds, no schema, an optional
// validator. The real registry (apiserver/registry) is tested against the CRDs on its own.
import type { KubeObject } from '../../src/api/types.ts';
import { errors, type StatusCause } from '../../src/api/status.ts';
import type { KindInfo, Registry, Validator } from '../../src/api/registry.ts';

function kind(kindName: string, plural: string, hasStatusSubresource = true): KindInfo {
  return {
    key: `${plural}.test.dev`,
    group: 'test.dev',
    version: 'v1',
    kind: kindName,
    listKind: `${kindName}List`,
    plural,
    singular: kindName.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: true,
    hasStatusSubresource,
    printerColumns: [],
    schema: { type: 'object' },
  };
}

export function createTestRegistry(): Registry {
  const kinds = [kind('Widget', 'widgets'), kind('Gadget', 'gadgets')];
  const validators = new Map<string, Validator[]>();
  return {
    resolve: (ref) => {
      const r = ref.toLowerCase();
      return kinds.find((k) => k.key === r || k.plural === r || k.singular === r || k.kind.toLowerCase() === r);
    },
    forObject: (apiVersion, kindName) => kinds.find((k) => `${k.group}/${k.version}` === apiVersion && k.kind === kindName),
    list: () => kinds,
    admit(info, obj, op, old) {
      const causes: StatusCause[] = [];
      for (const v of validators.get(info.key) ?? []) causes.push(...v(obj, op, old));
      if (causes.length > 0) throw errors.invalid(info.kind, info.group, obj.metadata.name, causes);
      // Like the real registry, admission returns a new deep copy with JSON semantics.
      return { object: JSON.parse(JSON.stringify(obj)) as KubeObject, warnings: [] };
    },
    addValidator(key, validator) {
      validators.set(key, [...(validators.get(key) ?? []), validator]);
    },
  };
}
