// Discovery documents (/version, /api, /apis, /apis/<g>, /apis/<g>/<v>, aggregated v2), built from the
// registry and cached until the set of kinds changes.
import type { KindInfo, Registry } from '../../src/api/registry.ts';
import { SCALE_KIND } from './scale.ts';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-apphost',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];
/** Placeholder kinds (always empty, never written) are only read. */
const READ_VERBS = ['get', 'list', 'watch'];

/** Core Namespaces are deleted one by one, as in Kubernetes. */
const NAMESPACE_VERBS = VERBS.filter((v) => v !== 'deletecollection');

function verbsOf(k: KindInfo): string[] {
  if (k.placeholder) return READ_VERBS;
  return k.group === '' && k.plural === 'namespaces' ? NAMESPACE_VERBS : VERBS;
}

/** Subresources a kind serves beyond `status`: replicas have `log`. */
export function hasLogSubresource(info: KindInfo): boolean {
  return info.group === 'apphost.dev' && info.plural === 'replicas';
}

export interface DiscoveryDocs {
  apiVersions: string;
  /** `/api/v1`: the core kinds we serve (Events), or undefined when there are none. */
  coreResources?: string;
  apiAggregated: string;
  apis: string;
  apisAggregated: string;
  groups: Map<string, string>;
  groupVersions: Map<string, string>;
}

function byGroupVersion(kinds: KindInfo[]): Map<string, Map<string, KindInfo[]>> {
  const groups = new Map<string, Map<string, KindInfo[]>>();
  for (const k of kinds) {
    if (k.group === '') continue; // the core group is not ours to serve
    let versions = groups.get(k.group);
    if (!versions) groups.set(k.group, (versions = new Map()));
    let list = versions.get(k.version);
    if (!list) versions.set(k.version, (list = []));
    list.push(k);
  }
  return groups;
}

function groupEntry(group: string, versions: string[]) {
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

function resourceList(group: string, version: string, kinds: KindInfo[]) {
  const resources: Record<string, unknown>[] = [];
  for (const k of kinds) {
    resources.push({
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: verbsOf(k),
      ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length > 0 ? { categories: k.categories } : {}),
    });
    if (k.hasStatusSubresource) {
      resources.push({ name: `${k.plural}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: STATUS_VERBS });
    }
    if (k.scale) {
      resources.push({ name: `${k.plural}/scale`, singularName: '', namespaced: k.namespaced, ...SCALE_KIND, verbs: STATUS_VERBS });
    }
    if (hasLogSubresource(k)) {
      resources.push({ name: `${k.plural}/log`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

function aggregatedResource(k: KindInfo) {
  const responseKind = { group: k.group, version: k.version, kind: k.kind };
  const subresources: Record<string, unknown>[] = [];
  if (k.hasStatusSubresource) subresources.push({ subresource: 'status', responseKind, verbs: STATUS_VERBS });
  if (k.scale) subresources.push({ subresource: 'scale', responseKind: SCALE_KIND, verbs: STATUS_VERBS });
  if (hasLogSubresource(k)) subresources.push({ subresource: 'log', responseKind, verbs: ['get'] });
  return {
    resource: k.plural,
    responseKind,
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: k.singular,
    verbs: verbsOf(k),
    ...(k.shortNames.length > 0 ? { shortNames: k.shortNames } : {}),
    ...(k.categories.length > 0 ? { categories: k.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

export function buildDiscovery(kinds: KindInfo[]): DiscoveryDocs {
  const grouped = byGroupVersion(kinds);
  const groupList: unknown[] = [];
  const aggregatedItems: unknown[] = [];
  const groups = new Map<string, string>();
  const groupVersions = new Map<string, string>();
  for (const [group, versions] of grouped) {
    const entry = groupEntry(group, [...versions.keys()]);
    groupList.push(entry);
    groups.set(group, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...entry }));
    const aggVersions: unknown[] = [];
    for (const [version, list] of versions) {
      groupVersions.set(`${group}/${version}`, JSON.stringify(resourceList(group, version, list)));
      aggVersions.push({ version, resources: list.map(aggregatedResource), freshness: 'Current' });
    }
    aggregatedItems.push({ metadata: { name: group, creationTimestamp: null }, versions: aggVersions });
  }
  const aggregated = (items: unknown[]) =>
    JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items });
  // The core group: only the kinds we serve (Events, Namespaces, the placeholders), never under the
  // name `endpoints` (see KUBE-API.md and placeholder-kinds.ts).
  const core = kinds.filter((k) => k.group === '' && k.version === 'v1');
  const coreItems = core.length > 0 ? [{ metadata: { name: '', creationTimestamp: null }, versions: [{ version: 'v1', resources: core.map(aggregatedResource), freshness: 'Current' }] }] : [];
  return {
    apiVersions: JSON.stringify({ kind: 'APIVersions', versions: core.length > 0 ? ['v1'] : [], serverAddressByClientCIDRs: [] }),
    ...(core.length > 0 ? { coreResources: JSON.stringify(resourceList('', 'v1', core)) } : {}),
    apiAggregated: aggregated(coreItems),
    apis: JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: groupList }),
    apisAggregated: aggregated(aggregatedItems),
    groups,
    groupVersions,
  };
}

/** Returns a cached document set, rebuilt when the registry's kinds change (user CRDs added). */
export function discoveryCache(registry: Registry): () => DiscoveryDocs {
  let signature = '';
  let docs: DiscoveryDocs | undefined;
  return () => {
    const kinds = registry.list();
    const sig = kinds.map((k) => `${k.key}/${k.version}/${k.namespaced}/${k.shortNames.join('+')}`).join(',');
    if (!docs || sig !== signature) {
      docs = buildDiscovery(kinds);
      signature = sig;
    }
    return docs;
  };
}
