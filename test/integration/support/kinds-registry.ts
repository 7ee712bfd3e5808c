// A schema-free Registry of the five apphost kinds and core Events, for fast controller tests over the real store:
// names and scopes as in crds/, admission only clones (the real registry is tested on its own).
import type { KubeObject } from '../../../src/api/types.ts';
import type { KindInfo, Registry } from '../../../src/api/registry.ts';

const KINDS: [kind: string, plural: string, short: string][] = [
  ['Resource', 'resources', 'res'],
  ['Replica', 'replicas', 'rep'],
  ['Endpoint', 'endpoints', 'ep'],
  ['Network', 'networks', 'net'],
  ['Proxy', 'proxies', 'px'],
];

export function createKindsRegistry(): Registry {
  const kinds: KindInfo[] = KINDS.map(([kind, plural, short]) => ({
    key: `${plural}.apphost.dev`,
    group: 'apphost.dev',
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [short],
    categories: ['apphost'],
    namespaced: true,
    hasStatusSubresource: true,
    printerColumns: [],
    schema: { type: 'object' },
  }));
  // Core v1 Events, which the controllers record.
  kinds.push({ ...kinds[0]!, key: 'events', group: '', kind: 'Event', listKind: 'EventList', plural: 'events', singular: 'event', shortNames: ['ev'], categories: [], hasStatusSubresource: false });
  return {
    resolve(ref) {
      const r = ref.toLowerCase();
      return kinds.find((k) => k.key === r || k.plural === r || k.singular === r || k.kind.toLowerCase() === r || k.shortNames.includes(r));
    },
    forObject: (apiVersion, kind) => kinds.find((k) => (k.group ? `${k.group}/${k.version}` : k.version) === apiVersion && k.kind === kind),
    list: () => kinds,
    admit: (_info, obj) => ({ object: JSON.parse(JSON.stringify(obj)) as KubeObject, warnings: [] }),
    addValidator() {},
  };
}
