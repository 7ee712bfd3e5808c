// A tiny registry of two test kinds (Widget, Gadget in group test.dev) for runtime tests that need
// a real store but no apphost schema. Schema-free: admission only clones.
import type { KubeObject } from '../api/types.ts';
import type { KindInfo, Registry } from '../../apiserver/registry/types.ts';

function kind(kindName: string, plural: string, shortName: string): KindInfo {
  return {
    key: `${plural}.test.dev`,
    group: 'test.dev',
    version: 'v1',
    kind: kindName,
    listKind: `${kindName}List`,
    plural,
    singular: kindName.toLowerCase(),
    shortNames: [shortName],
    categories: [],
    namespaced: true,
    hasStatusSubresource: true,
    printerColumns: [],
    schema: { type: 'object' },
  };
}

export const TEST_API_VERSION = 'test.dev/v1';

export function createTestKindsRegistry(): Registry {
  const kinds = [kind('Widget', 'widgets', 'wd'), kind('Gadget', 'gadgets', 'gd')];
  return {
    resolve(ref) {
      const r = ref.toLowerCase();
      return kinds.find(
        (k) => k.key === r || k.plural === r || k.singular === r || k.kind.toLowerCase() === r || k.shortNames.includes(r),
      );
    },
    forObject: (apiVersion, kindName) => kinds.find((k) => `${k.group}/${k.version}` === apiVersion && k.kind === kindName),
    list: () => kinds,
    admit: (_info, obj) => ({ object: JSON.parse(JSON.stringify(obj)) as KubeObject, warnings: [] }),
    addValidator() {},
  };
}
