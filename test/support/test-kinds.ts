// Schema-free registries for fast tests over the real store: the five apphost kinds (names, short
// names and scopes as in crds/) and two neutral test kinds (Widget, Gadget in test.dev). Admission
// only clones; the real registry (apiserver/registry) validates against the CRDs and is tested there.
import type { KubeObject } from '../../src/api/types.ts';
import type { KindInfo, Registry } from '../../src/api/registry.ts';

function kind(group: string, kindName: string, plural: string, shortName: string): KindInfo {
  return {
    key: `${plural}.${group}`,
    group,
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

function registryOf(kinds: KindInfo[]): Registry {
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

export const TEST_API_VERSION = 'test.dev/v1';

/** Widget (wd) and Gadget (gd) in group test.dev. */
export function createTestKindsRegistry(): Registry {
  return registryOf([kind('test.dev', 'Widget', 'widgets', 'wd'), kind('test.dev', 'Gadget', 'gadgets', 'gd')]);
}

/** Resource, Replica, Endpoint, Network, Proxy in apphost.dev, without schemas. */
export function createApphostKindsRegistry(): Registry {
  return registryOf([
    kind('apphost.dev', 'Resource', 'resources', 'res'),
    kind('apphost.dev', 'Replica', 'replicas', 'rep'),
    kind('apphost.dev', 'Endpoint', 'endpoints', 'ep'),
    kind('apphost.dev', 'Network', 'networks', 'net'),
    kind('apphost.dev', 'Proxy', 'proxies', 'px'),
  ]);
}
