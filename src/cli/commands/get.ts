// apphostctl get: tables from the server's printer columns, -o yaml|json|wide|name, -w, -l, -A.
import { Command } from 'commander';
import type { KubeObject } from '../../api/types.ts';
import { CliError } from '../errors.ts';
import { groupSuffix, objectPath, parseTargets, type KindRef, type TypedName } from '../kinds.ts';
import { formatNames, formatObjects, parseOutput, type OutputFormat } from '../output/objects.ts';
import { renderTable, TABLE_ACCEPT, type Table } from '../output/table.ts';
import { interruptSignal, withSession, type Session } from '../session.ts';

interface GetOptions {
  output?: string;
  watch?: boolean;
  selector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  noHeaders?: boolean;
}

interface ListBody {
  items: KubeObject[];
  metadata?: { resourceVersion?: string };
}

export function getCommand(): Command {
  return new Command('get')
    .description('Display one or many objects (tables from the server, like kubectl get)')
    .argument('<type[/name]...>', 'a type (resources, res, endpoints, ep, replicas, rep, ...) and optional names')
    .option('-o, --output <format>', 'yaml | json | wide | name')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('--show-labels', 'show labels as the last column')
    .option('--no-headers', 'do not print the header row')
    .addHelpText(
      'after',
      `
Examples:
  apphostctl get resources
  apphostctl get ep -o wide
  apphostctl get replicas -l apphost.dev/resource=api -w
  apphostctl get resource/api -o yaml
  apphostctl get res,ep`,
    )
    .action(async (args: string[], opts: GetOptions, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const format = parseOutput(opts.output);
        const targets = parseTargets(await s.kinds(), args);
        if (opts.watch && new Set(targets.map((t) => t.kind.plural)).size > 1) {
          throw new CliError('USAGE', 'you may only specify a single resource type with --watch');
        }
        let rv: string | undefined;
        let widths: number[] | undefined;
        const groups = groupByKind(targets);
        let printed = 0;
        for (const [i, group] of groups.entries()) {
          const r = await printGroup(s, group, format, opts, groups.length > 1);
          printed += r.count;
          rv = r.resourceVersion;
          widths = r.widths;
          if (groups.length > 1 && i < groups.length - 1 && r.count > 0 && (format === 'table' || format === 'wide')) s.out.write('\n');
        }
        if (printed === 0 && !opts.watch && targets.every((t) => t.name === undefined) && (format === 'table' || format === 'wide')) {
          s.err.write(opts.allNamespaces ? 'No resources found\n' : `No resources found in ${s.namespace} namespace.\n`);
        }
        if (opts.watch) await watch(s, groups[0], format, opts, rv, widths);
      });
    });
}

function groupByKind(targets: TypedName[]): { kind: KindRef; names: string[] }[] {
  const out: { kind: KindRef; names: string[] }[] = [];
  for (const t of targets) {
    let g = out.find((x) => x.kind === t.kind);
    if (!g) out.push((g = { kind: t.kind, names: [] }));
    if (t.name !== undefined) g.names.push(t.name);
  }
  return out;
}

async function printGroup(
  s: Session,
  group: { kind: KindRef; names: string[] },
  format: OutputFormat,
  opts: GetOptions,
  several: boolean,
): Promise<{ count: number; resourceVersion?: string; widths?: number[] }> {
  const ns = opts.allNamespaces ? undefined : s.namespace;
  const table = format === 'table' || format === 'wide';
  const query = { labelSelector: opts.selector };
  if (table) {
    const tables: Table[] = [];
    if (group.names.length === 0) {
      tables.push(await s.client.request<Table>({ path: objectPath(group.kind, ns), query, accept: TABLE_ACCEPT }));
    } else {
      for (const name of group.names) {
        tables.push(await s.client.request<Table>({ path: objectPath(group.kind, s.namespace, name), accept: TABLE_ACCEPT }));
      }
    }
    const count = tables.reduce((n, t) => n + (t.rows?.length ?? 0), 0);
    const rv = tables[0]?.metadata?.resourceVersion;
    if (count === 0) return { count, resourceVersion: rv };
    const nameCol = several ? prefixNames(tables, group.kind) : tables;
    const { text, widths } = renderTable(nameCol, {
      wide: format === 'wide',
      withNamespace: opts.allNamespaces,
      showLabels: opts.showLabels,
      noHeaders: opts.noHeaders,
    });
    s.out.write(text);
    return { count, resourceVersion: rv, widths };
  }
  let objs: KubeObject[];
  let rv: string | undefined;
  let asList = true;
  if (group.names.length === 0) {
    const list = await s.client.request<ListBody>({ path: objectPath(group.kind, ns), query });
    objs = list.items ?? [];
    rv = list.metadata?.resourceVersion;
  } else {
    objs = [];
    for (const name of group.names) objs.push(await s.client.request<KubeObject>({ path: objectPath(group.kind, s.namespace, name) }));
    asList = objs.length !== 1;
  }
  if (format === 'name') s.out.write(formatNames(group.kind, objs));
  else if (objs.length > 0 || asList) s.out.write(formatObjects(objs, format, asList));
  return { count: objs.length, resourceVersion: rv };
}

/** With several types in one get, kubectl prefixes names with `type.group/`. */
function prefixNames(tables: Table[], kind: KindRef): Table[] {
  return tables.map((t) => {
    const nameIdx = t.columnDefinitions.findIndex((c) => c.name.toLowerCase() === 'name');
    if (nameIdx < 0) return t;
    return { ...t, rows: t.rows.map((r) => ({ ...r, cells: r.cells.map((c, i) => (i === nameIdx ? `${kind.singular}${groupSuffix(kind)}/${String(c)}` : c)) })) };
  });
}

async function watch(
  s: Session,
  group: { kind: KindRef; names: string[] },
  format: OutputFormat,
  opts: GetOptions,
  resourceVersion: string | undefined,
  widths: number[] | undefined,
): Promise<void> {
  const table = format === 'table' || format === 'wide';
  const interrupt = interruptSignal();
  const ns = opts.allNamespaces ? undefined : s.namespace;
  const fieldSelector = group.names.length === 1 ? `metadata.name=${group.names[0]}` : undefined;
  const wanted = new Set(group.names);
  let headerPrinted = widths !== undefined;
  let rv = resourceVersion;
  try {
    // The server may end a watch (timeout, restart): watch again from the last version seen, as
    // kubectl does; an unreachable server ends the command with its error.
    while (!interrupt.signal.aborted) {
      await s.client.stream(
        {
          path: objectPath(group.kind, ns),
          query: { watch: 1, resourceVersion: rv, labelSelector: opts.selector, fieldSelector, allowWatchBookmarks: true },
          accept: table ? TABLE_ACCEPT : 'application/json',
          signal: interrupt.signal,
        },
        (line) => {
          if (!line.trim()) return;
          const ev = JSON.parse(line) as { type: string; object: unknown };
          const seen = table
            ? ((ev.object as Table).rows?.[0]?.object?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion ??
              (ev.object as Table).metadata?.resourceVersion
            : (ev.object as KubeObject)?.metadata?.resourceVersion;
          if (seen && ev.type !== 'ERROR') rv = seen;
          if (ev.type === 'BOOKMARK') return;
          if (ev.type === 'ERROR') {
            const st = ev.object as { message?: string };
            throw new CliError('API_ERROR', st.message ?? 'watch failed');
          }
          if (table) {
            const t = ev.object as Table;
            const name = t.rows?.[0]?.object?.metadata?.name;
            if (wanted.size > 0 && name !== undefined && !wanted.has(name)) return;
            const r = renderTable([t], {
              wide: format === 'wide',
              withNamespace: opts.allNamespaces,
              showLabels: opts.showLabels,
              noHeaders: opts.noHeaders || headerPrinted,
            }, widths);
            headerPrinted = true;
            widths = r.widths;
            s.out.write(r.text);
          } else {
            const obj = ev.object as KubeObject;
            if (wanted.size > 0 && !wanted.has(obj.metadata.name)) return;
            if (format === 'name') s.out.write(formatNames(group.kind, [obj]));
            else s.out.write((format === 'yaml' ? '---\n' : '') + formatObjects([obj], format, false));
          }
        },
      );
      if (!interrupt.signal.aborted) await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    interrupt.dispose();
  }
}
