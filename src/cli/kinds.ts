// Which kinds the server serves (API discovery), and resolving what the user typed (`res`,
// `resources`, `Resource`, `resources.apphost.dev`, `resource/api`) to one of them.
import type { ApiClient } from './api-client.ts';
import { CliError } from './errors.ts';

export interface KindRef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
}

interface APIGroupList {
  groups: { name: string; preferredVersion?: { groupVersion: string; version: string }; versions: { groupVersion: string; version: string }[] }[];
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; singularName?: string; namespaced: boolean; kind: string; verbs?: string[]; shortNames?: string[]; categories?: string[] }[];
}

export class Kinds {
  readonly all: KindRef[];

  constructor(all: KindRef[]) {
    this.all = all;
  }

  static async discover(client: ApiClient): Promise<Kinds> {
    const [groups, core] = await Promise.all([client.request<APIGroupList>({ path: '/apis' }), client.request<APIResourceList>({ path: '/api/v1' })]);
    const lists = await Promise.all(
      (groups.groups ?? []).map(async (g) => {
        const v = g.preferredVersion ?? g.versions[0];
        if (!v) return [];
        return kindRefs(g.name, v.version, await client.request<APIResourceList>({ path: `/apis/${v.groupVersion}` }));
      }),
    );
    // The core group (/api/v1: Events...) too, as kubectl has it.
    return new Kinds([...lists.flat(), ...kindRefs('', 'v1', core)]);
  }

  /**
   * Names first, then kinds: `endpoints` is apphost's Endpoint (plural) even though core v1 has a
   * kind Endpoints (served as `coreendpoints`).
   */
  find(ref: string): KindRef | undefined {
    const r = ref.toLowerCase();
    return (
      this.all.find(
        (k) =>
          k.plural === r ||
          k.singular === r ||
          k.shortNames.includes(r) ||
          `${k.plural}.${k.group}` === r ||
          `${k.singular}.${k.group}` === r ||
          `${k.kind.toLowerCase()}.${k.group}` === r,
      ) ?? this.all.find((k) => k.kind.toLowerCase() === r)
    );
  }

  /** Kinds in a category (`apphost`); `all` means the apphost category, as kubectl's `get all`. */
  category(ref: string): KindRef[] {
    const c = ref.toLowerCase() === 'all' ? 'apphost' : ref.toLowerCase();
    return this.all.filter((k) => k.categories?.includes(c));
  }

  resolve(ref: string): KindRef {
    const k = this.find(ref);
    if (!k) {
      throw new CliError(
        'UNKNOWN_TYPE',
        `the server doesn't have a resource type "${ref}" (see \`apphostctl api-resources\`)`,
      );
    }
    return k;
  }

  forObject(apiVersion: string, kind: string): KindRef {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const k = this.all.find((x) => x.group === group && x.version === version && x.kind === kind);
    if (!k) throw new CliError('UNKNOWN_TYPE', `the server doesn't serve kind "${kind}" in "${apiVersion}" (see \`apphostctl api-resources\`)`);
    return k;
  }
}

function kindRefs(group: string, version: string, list: APIResourceList): KindRef[] {
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map<KindRef>((r) => ({
      group,
      version,
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      namespaced: r.namespaced,
      shortNames: r.shortNames ?? [],
      verbs: r.verbs ?? [],
      categories: r.categories ?? [],
    }));
}

/** `.apphost.dev`, or nothing for the core group. */
export function groupSuffix(k: Pick<KindRef, 'group'>): string {
  return k.group ? `.${k.group}` : '';
}

/** `apphost.dev/v1`, or `v1` for the core group. */
export function groupVersion(k: Pick<KindRef, 'group' | 'version'>): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** `/apis/<group>/<version>` (`/api/v1` for the core group) `[/namespaces/<ns>]/<plural>[/<name>[/<sub>]]` */
export function objectPath(k: KindRef, namespace: string | undefined, name?: string, sub?: string): string {
  let p = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  if (k.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${k.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

/** `resource.apphost.dev/api` (`namespace/dev` for the core group), as kubectl prints it. */
export function qualifiedName(k: KindRef, name: string): string {
  return `${k.singular}${groupSuffix(k)}/${name}`;
}

/** `resources.apphost.dev "api"` (`namespaces "dev"`), as in Kubernetes messages. */
export function quotedName(k: KindRef, name: string): string {
  return `${k.plural}${groupSuffix(k)} "${name}"`;
}

export interface TypedName {
  kind: KindRef;
  name?: string;
}

/**
 * Positional arguments as kubectl reads them: `TYPE [NAME...]`, `TYPE/NAME [TYPE/NAME...]`, or
 * `TYPE1,TYPE2`.
 */
export function parseTargets(kinds: Kinds, args: string[]): TypedName[] {
  if (args.length === 0) throw new CliError('USAGE', 'you must specify the type of resource to get (e.g. `apphostctl get resources`)');
  if (args.some((a) => a.includes('/'))) {
    return args.map((a) => {
      const [type, name, extra] = a.split('/');
      if (!type || !name || extra !== undefined) {
        throw new CliError('USAGE', `"${a}" is not TYPE/NAME: mix of TYPE/NAME and TYPE NAME arguments is not supported`);
      }
      return { kind: kinds.resolve(type), name };
    });
  }
  const [types, ...names] = args;
  const ks = types
    .split(',')
    .filter(Boolean)
    .flatMap((t) => {
      const k = kinds.find(t);
      if (k) return [k];
      const inCategory = kinds.category(t);
      return inCategory.length ? inCategory : [kinds.resolve(t)];
    });
  if (names.length === 0) return ks.map((kind) => ({ kind }));
  if (ks.length > 1) throw new CliError('USAGE', 'names can only be given with a single resource type');
  return names.map((name) => ({ kind: ks[0], name }));
}
