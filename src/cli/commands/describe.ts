// apphostctl describe: metadata, spec summary, status, conditions with reasons and messages; for an
// Endpoint its targets and who holds the port; for a Replica last exit and restarts; for a
// Resource its replicas and endpoints. Answers "why is this not ready?".
import { Command } from 'commander';
import { stringify } from 'yaml';
import type { Condition, Endpoint, KubeObject, Network, Proxy, Replica, Resource } from '../../api/types.ts';
import { looksSecret } from '../../api/secrets.ts';
import { objectPath, parseTargets, type KindRef } from '../kinds.ts';
import { age, formatColumns } from '../output/columns.ts';
import { withSession, type Session } from '../session.ts';

export function describeCommand(): Command {
  return new Command('describe')
    .description('Show details of objects, including why they are not ready')
    .argument('<type[/name]...>', 'a type and optional names (all objects of the type when none)')
    .option('-l, --selector <selector>', 'label selector')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl describe resource/api
  apphostctl describe ep api-http
  apphostctl describe replicas`,
    )
    .action(async (args: string[], opts: { selector?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const targets = parseTargets(await s.kinds(), args);
        const blocks: string[] = [];
        for (const t of targets) {
          if (t.name !== undefined) {
            const obj = await s.client.request<KubeObject>({ path: objectPath(t.kind, s.namespace, t.name) });
            blocks.push(await describeObject(s, t.kind, obj));
          } else {
            const list = await s.client.request<{ items: KubeObject[] }>({
              path: objectPath(t.kind, s.namespace),
              query: { labelSelector: opts.selector },
            });
            for (const obj of list.items ?? []) blocks.push(await describeObject(s, t.kind, obj));
          }
        }
        if (blocks.length === 0) s.err.write(`No resources found in ${s.namespace} namespace.\n`);
        s.out.write(blocks.join('\n\n') + (blocks.length ? '\n' : ''));
      });
    });
}

function field(label: string, value: unknown, indent = 0): string {
  const v = value === undefined || value === null || value === '' ? '<none>' : String(value);
  return `${' '.repeat(indent)}${(label + ':').padEnd(22 - indent)}${v}`;
}

function map(m: Record<string, string> | undefined): string {
  const e = Object.entries(m ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join('\n' + ' '.repeat(22)) : '<none>';
}

function indentYaml(value: unknown, n = 2): string {
  return stringify(value)
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}

/** Messages may quote command lines with newlines: keep table rows on one line. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function conditionsBlock(conditions: Condition[] | undefined): string[] {
  if (!conditions?.length) return ['Conditions:           <none>'];
  const rows = conditions.map((c) => [
    c.type,
    c.status,
    c.reason ?? '',
    c.lastTransitionTime ? `${age(c.lastTransitionTime)} ago` : '',
    oneLine(c.message ?? ''),
  ]);
  const { lines } = formatColumns(['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], rows);
  return ['Conditions:', ...lines.map((l) => '  ' + l)];
}

async function describeObject(s: Session, kind: KindRef, obj: KubeObject): Promise<string> {
  const m = obj.metadata;
  const annotations = { ...(m.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const lines: string[] = [
    field('Name', m.name),
    ...(kind.namespaced ? [field('Namespace', m.namespace)] : []),
    field('Kind', `${obj.kind} (${obj.apiVersion})`),
    field('Labels', map(m.labels)),
    field('Annotations', map(annotations)),
    field('Created', m.creationTimestamp ? `${m.creationTimestamp} (${age(m.creationTimestamp)} ago)` : undefined),
    field('UID', m.uid),
    field('Resource Version', m.resourceVersion),
    field('Generation', m.generation),
  ];
  if (m.ownerReferences?.length) lines.push(field('Owned By', m.ownerReferences.map((o) => `${o.kind}/${o.name}`).join(', ')));
  if (m.deletionTimestamp) lines.push(field('Deleting Since', `${m.deletionTimestamp} (finalizers: ${(m.finalizers ?? []).join(', ') || 'none'})`));
  const status = (obj.status ?? {}) as { phase?: string; conditions?: Condition[]; observedGeneration?: number };

  if (kind.group === 'apphost.dev' && obj.kind === 'Endpoint') lines.push(...endpointDetails(obj as Endpoint));
  else if (kind.group === 'apphost.dev' && obj.kind === 'Replica') lines.push(...replicaDetails(obj as Replica));
  else if (kind.group === 'apphost.dev' && obj.kind === 'Resource') lines.push(...(await resourceDetails(s, obj as Resource)));
  else if (kind.group === 'apphost.dev' && obj.kind === 'Proxy') lines.push(...proxyDetails(obj as Proxy));
  else if (kind.group === 'apphost.dev' && obj.kind === 'Network') lines.push(...networkDetails(obj as Network));
  else {
    if (obj.spec !== undefined) lines.push('Spec:', indentYaml(obj.spec));
    const rest = { ...status };
    delete rest.conditions;
    if (Object.keys(rest).length) lines.push('Status:', indentYaml(rest));
  }
  if (status.observedGeneration !== undefined && m.generation !== undefined && status.observedGeneration < m.generation) {
    lines.push(field('Note', `status is for generation ${status.observedGeneration}; the controllers have not caught up with generation ${m.generation} yet`));
  }
  lines.push(...conditionsBlock(status.conditions));
  lines.push(...(await eventsBlock(s, obj)));
  return lines.join('\n');
}

interface EventItem {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  source?: { component?: string };
  metadata: { uid?: string };
}

/**
 * The core v1 Events about an object, as `kubectl describe` lists them (oldest first); for a
 * Replica also those recorded on its Resource about it (fieldPath `replicas{<name>}`).
 */
async function eventsBlock(s: Session, obj: KubeObject): Promise<string[]> {
  const m = obj.metadata;
  const path = `/api/v1/namespaces/${m.namespace ?? 'default'}/events`;
  const selectors = [`involvedObject.uid=${m.uid ?? ''}`];
  const resource = obj.kind === 'Replica' ? (obj as Replica).spec?.resource : undefined;
  if (resource) selectors.push(`involvedObject.kind=Resource,involvedObject.name=${resource},involvedObject.fieldPath=replicas{${m.name}}`);
  const lists = await Promise.all(
    selectors.map((fieldSelector) => s.client.request<{ items?: EventItem[] }>({ path, query: { fieldSelector } }).catch(() => ({ items: [] as EventItem[] }))),
  );
  const seen = new Set<string>();
  const events = lists
    .flatMap((l) => l.items ?? [])
    .filter((e) => !seen.has(e.metadata.uid ?? '') && seen.add(e.metadata.uid ?? ''))
    .sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? ''));
  if (events.length === 0) return ['Events:               <none>'];
  const when = (e: EventItem) => {
    const last = e.lastTimestamp ? age(e.lastTimestamp) : '';
    return (e.count ?? 1) > 1 && e.firstTimestamp ? `${last} (x${e.count} over ${age(e.firstTimestamp)})` : last;
  };
  const { lines } = formatColumns(
    ['TYPE', 'REASON', 'AGE', 'FROM', 'MESSAGE'],
    events.map((e) => [e.type ?? '', e.reason ?? '', when(e), e.source?.component ?? '', oneLine(e.message ?? '')]),
  );
  return ['Events:', ...lines.map((l) => '  ' + l)];
}

function endpointDetails(ep: Endpoint): string[] {
  const sp = ep.spec ?? ({} as Endpoint['spec']);
  const st = ep.status ?? {};
  const lines = [
    field('Resource', sp.resource),
    field('Scheme', `${sp.scheme ?? ''}${sp.protocol ? ` (${sp.protocol}${sp.transport ? `, ${sp.transport}` : ''})` : ''}`),
    field('Proxied', st.proxied ?? sp.isProxied ?? true),
    field('Port (spec)', sp.port ?? '<random>'),
    field('Target Port (spec)', sp.targetPort ?? (sp.env ? `<per replica, in $${sp.env}>` : '<per replica>')),
    field('URL', st.url),
    field('Address', st.address && st.port ? `${st.address}:${st.port}` : st.address),
  ];
  const targets = st.targets ?? [];
  if (targets.length === 0) lines.push('Targets:              <none>');
  else {
    const { lines: t } = formatColumns(
      ['REPLICA', 'ADDRESS', 'PORT', 'READY'],
      targets.map((x) => [x.replica, x.address, String(x.port), x.ready ? 'true' : 'false']),
    );
    lines.push('Targets:', ...t.map((l) => '  ' + l));
  }
  const portCond = st.conditions?.find((c) => c.type === 'PortAllocated' && c.status !== 'True');
  if (portCond) lines.push(field('Port Holder', oneLine(portCond.message ?? portCond.reason ?? '')));
  return lines;
}

function replicaDetails(r: Replica): string[] {
  const st = r.status ?? {};
  const lines = [
    field('Resource', r.spec?.resource),
    field('Index', r.spec?.index),
    field('State', st.state),
    field('Ready', st.ready ?? false),
    ...(st.pid !== undefined ? [field('PID', st.pid)] : []),
    ...(st.containerId ? [field('Container', st.containerId.slice(0, 12))] : []),
    field('Restarts', st.restarts ?? 0),
    field('Started', st.startedAt ? `${st.startedAt} (${age(st.startedAt)} ago)` : undefined),
  ];
  if (st.finishedAt || st.exitCode !== undefined) {
    lines.push('Last Exit:', field('Exit Code', st.exitCode, 2), field('Finished', st.finishedAt, 2));
  }
  if (st.message) lines.push(field('Message', st.message));
  const ports = st.ports ?? r.spec?.ports ?? [];
  if (ports.length) {
    lines.push('Ports:', ...ports.map((p) => `  ${p.name}: ${p.targetPort}${p.hostPort ? ` (host ${p.hostPort})` : ''}`));
  }
  const env = st.env ?? r.spec?.env ?? [];
  // Passwords, keys, tokens and connection strings are shown as masked, like kubectl describe secret.
  if (env.length) lines.push('Environment:', ...env.map((e) => `  ${e.name}=${looksSecret(e.name) ? MASKED : e.value}`));
  return lines;
}

const MASKED = '<masked>';

async function resourceDetails(s: Session, res: Resource): Promise<string[]> {
  const sp = res.spec ?? {};
  const st = res.status ?? {};
  const what = sp.executable
    ? `executable: ${[sp.executable.command, ...(sp.executable.args ?? [])].join(' ')}${sp.executable.workingDir ? ` (in ${sp.executable.workingDir})` : ''}`
    : sp.container
      ? `container: ${sp.container.image}${sp.container.tag ? `:${sp.container.tag}` : ''}`
      : '<none>';
  const lines = [
    field('Runs', what),
    field('Lifetime', sp.lifetime ?? 'Session'),
    field('Replicas', `${st.readyReplicas ?? 0}/${sp.replicas ?? 1} ready`),
    field('Phase', st.phase),
  ];
  if (sp.references?.length) {
    lines.push(field('References', sp.references.map((r) => (r.endpoint ? `${r.resource}/${r.endpoint}` : r.database ? `${r.resource} database ${r.database}` : r.resource)).join(', ')));
  }
  // Templates only: parameter values never leave apphost's side except into the replicas' env.
  if (sp.connectionString) lines.push(field('Connection String', sp.connectionString));
  if (sp.databases?.length) lines.push(field('Databases', sp.databases.map((d) => d.databaseName && d.databaseName !== d.name ? `${d.name} (${d.databaseName})` : d.name).join(', ')));
  if (sp.parameters?.length) lines.push(field('Parameters', sp.parameters.map((p) => `${p.name}${p.secret ? ' (secret)' : ''}${p.generate ? ' (generated)' : ''}`).join(', ')));
  if (sp.waitFor?.length) lines.push(field('Waits For', sp.waitFor.map((w) => `${w.resource} (${w.condition ?? 'Running'})`).join(', ')));
  if (sp.healthCheck) lines.push(field('Health Check', `${sp.healthCheck.type ?? 'http'} on endpoint ${sp.healthCheck.endpoint ?? '<first>'}${sp.healthCheck.path ? ` path ${sp.healthCheck.path}` : ''}`));
  const ns = res.metadata.namespace;
  const [eps, reps] = await Promise.all([
    s.client.request<{ items: Endpoint[] }>({ path: `/apis/apphost.dev/v1/namespaces/${ns}/endpoints` }).catch(() => ({ items: [] as Endpoint[] })),
    s.client.request<{ items: Replica[] }>({ path: `/apis/apphost.dev/v1/namespaces/${ns}/replicas` }).catch(() => ({ items: [] as Replica[] })),
  ]);
  const myEps = (eps.items ?? []).filter((e) => e.spec?.resource === res.metadata.name);
  const myReps = (reps.items ?? []).filter((r) => r.spec?.resource === res.metadata.name).sort((a, b) => (a.spec?.index ?? 0) - (b.spec?.index ?? 0));
  if (myEps.length) {
    const { lines: t } = formatColumns(
      ['NAME', 'URL', 'PROXIED', 'TARGETS READY'],
      myEps.map((e) => [
        e.spec?.name ?? e.metadata.name,
        e.status?.url ?? '<pending>',
        String(e.status?.proxied ?? e.spec?.isProxied ?? true),
        `${(e.status?.targets ?? []).filter((x) => x.ready).length}/${(e.status?.targets ?? []).length}`,
      ]),
    );
    lines.push('Endpoints:', ...t.map((l) => '  ' + l));
  } else lines.push(field('Endpoints', sp.endpoints?.length ? '<pending>' : '<none>'));
  if (myReps.length) {
    const { lines: t } = formatColumns(
      ['NAME', 'STATE', 'READY', 'RESTARTS', 'LAST EXIT', 'MESSAGE'],
      myReps.map((r) => [
        r.metadata.name,
        r.status?.state ?? 'Pending',
        String(r.status?.ready ?? false),
        String(r.status?.restarts ?? 0),
        r.status?.exitCode !== undefined ? String(r.status.exitCode) : '',
        r.status?.message ?? '',
      ]),
    );
    lines.push('Replicas:', ...t.map((l) => '  ' + l));
  } else lines.push(field('Replicas', '<none>'));
  return lines;
}

function proxyDetails(p: Proxy): string[] {
  const sp = p.spec ?? ({} as Proxy['spec']);
  const st = p.status ?? {};
  const lines = [
    field('Listen (spec)', `${sp.listen?.address ?? ''}:${sp.listen?.port || '<any free port>'}`),
    field('Listening On', st.address && st.port ? `${st.address}:${st.port}` : undefined),
    field('Protocol', sp.protocol ?? 'TCP'),
    field('Policy', sp.policy ?? 'RoundRobin'),
    field('Connections', `${st.activeConnections ?? 0} active, ${st.totalConnections ?? 0} total, ${st.failedConnects ?? 0} failed connects`),
    field('Bytes', `${st.bytesIn ?? 0} in, ${st.bytesOut ?? 0} out`),
  ];
  if (st.lastError) lines.push(field('Last Error', oneLine(st.lastError)));
  const backends = sp.backends ?? [];
  if (backends.length === 0) lines.push('Backends:             <none>');
  else {
    const { lines: t } = formatColumns(
      ['NAME', 'ADDRESS', 'PORT', 'READY'],
      backends.map((b) => [b.name, b.address, String(b.port), String(b.ready ?? true)]),
    );
    lines.push('Backends:', ...t.map((l) => '  ' + l));
  }
  return lines;
}

function networkDetails(n: Network): string[] {
  const sp = n.spec ?? {};
  const st = n.status ?? {};
  const lines = [
    field('Lifetime', sp.lifetime ?? 'Session'),
    field('Driver', sp.driver ?? 'bridge'),
    field('Docker Network', st.runtimeName ? `${st.runtimeName}${st.id ? ` (${st.id.slice(0, 12)})` : ''}` : undefined),
    field('Subnet', st.subnet),
    field('Gateway', st.gateway),
  ];
  const att = st.attachments ?? [];
  if (att.length === 0) lines.push('Attachments:          <none>');
  else lines.push('Attachments:', ...att.map((a) => `  ${a.replica}${a.aliases?.length ? ` (aliases: ${a.aliases.join(', ')})` : ''}`));
  return lines;
}
