// The resources table: one row per resource (state, ready/desired, health, start, restarts,
// endpoints, actions), its replicas nested below, a text filter and a kind filter.
import { useState } from 'preact/hooks';
import type { Replica } from '../../api/types.ts';
import { age, clock } from './format.ts';
import { notReadyReason, resourceRows, toneOf, type ResourceRow } from './model.ts';
import { Actions } from './actions.tsx';
import { href } from './router.ts';
import { useAppState } from './state.ts';
import { Badge, EndpointLink } from './widgets.tsx';

const KINDS = ['executable', 'container', 'project'] as const;

function matches(row: ResourceRow, text: string, kind: string): boolean {
  if (kind && row.kind !== kind) return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return [row.name, row.state, row.kind, ...row.endpoints.map((e) => e.url ?? ''), ...row.replicas.map((r) => r.metadata.name)].some((s) =>
    s.toLowerCase().includes(t),
  );
}

function lastExit(r: Replica): string {
  const code = r.status?.exitCode;
  if (code === undefined) return '—';
  return `${code}${r.status?.finishedAt ? ` at ${clock(r.status.finishedAt)}` : ''}`;
}

function ReplicaRow(props: { r: Replica; resource: string }) {
  const { r } = props;
  const st = r.status ?? {};
  const ports = (st.ports ?? r.spec.ports ?? []).map((p) => `${p.name} :${p.targetPort}`).join(', ');
  const readyCond = st.conditions?.find((c) => c.type === 'Ready');
  const why = st.ready ? undefined : readyCond ? notReadyReason([readyCond]) : st.message;
  return (
    <tr class="replica" data-replica={r.metadata.name}>
      <td class="name">
        <span class="tree">└</span>
        <a href={href({ page: 'console', resource: props.resource, replica: r.metadata.name })} title="Console logs of this replica">
          {r.metadata.name}
        </a>
      </td>
      <td class="mono small" data-field="process">
        {st.pid !== undefined ? <span data-pid={st.pid}>pid {st.pid}</span> : st.containerId ? <span title={st.containerId}>{st.containerId.slice(0, 12)}</span> : '—'}
      </td>
      <td>
        <Badge tone={toneOf(st.state)} text={st.state ?? 'Pending'} title={st.message} />
      </td>
      <td />
      <td>{st.state === 'Running' ? <Badge tone={st.ready ? 'ok' : 'warn'} text={st.ready ? 'Ready' : 'Not ready'} title={why} /> : null}</td>
      <td title={st.startedAt ? `${age(st.startedAt)} ago` : undefined}>{st.startedAt ? clock(st.startedAt) : '—'}</td>
      <td class="num">{st.restarts ?? 0}</td>
      <td class="mono small muted">{ports || '—'}</td>
      <td class="mono small muted" title="Last exit code">
        {st.exitCode !== undefined ? `exit ${lastExit(r)}` : ''}
      </td>
    </tr>
  );
}

function Row(props: { row: ResourceRow; expanded: boolean; toggle(): void }) {
  const { row } = props;
  return (
    <>
      <tr class="resource" data-resource={row.name} data-state={row.state}>
        <td class="name">
          <button class="icon caret" aria-label={props.expanded ? 'Collapse' : 'Expand'} onClick={props.toggle} disabled={row.replicas.length === 0}>
            {props.expanded ? '▾' : '▸'}
          </button>
          <a href={href({ page: 'details', resource: row.name })} class="strong">
            {row.name}
          </a>
        </td>
        <td>
          <span class={`kind kind-${row.kind}`}>{row.kind}</span>
        </td>
        <td data-field="state" class="state-cell">
          <Badge tone={row.tone} text={row.state} title={row.reason} />
          {row.reason ? (
            <div class="reason" title={row.reason}>
              {row.reason}
            </div>
          ) : null}
        </td>
        <td class="num" data-field="ready">
          {row.ready}/{row.desired}
        </td>
        <td>
          <Badge tone={row.health.tone} text={row.health.text} title={row.health.reason} />
        </td>
        <td title={row.startedAt ? `${age(row.startedAt)} ago` : undefined}>{row.startedAt ? clock(row.startedAt) : '—'}</td>
        <td class="num">{row.restarts}</td>
        <td>
          <div class="endpoints">{row.endpoints.length ? row.endpoints.map((ep) => <EndpointLink ep={ep} key={ep.name} />) : <span class="muted">—</span>}</div>
        </td>
        <td>
          <Actions row={row} />
        </td>
      </tr>
      {props.expanded ? row.replicas.map((r) => <ReplicaRow r={r} resource={row.name} key={r.metadata.name} />) : null}
    </>
  );
}

/** How many resources are in each state, worst first. */
function summary(rows: ResourceRow[]): [string, number][] {
  const order = ['Failed', 'Degraded', 'Starting', 'Waiting', 'Pending', 'Stopped', 'Running'];
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return [...counts].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
}

export function ResourcesPage() {
  const state = useAppState();
  const [text, setText] = useState('');
  const [kind, setKind] = useState('');
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const rows = resourceRows();
  const shown = rows.filter((r) => matches(r, text, kind));
  return (
    <section class="page">
      <header class="page-head">
        <h1>Resources</h1>
        <div class="toolbar">
          <input type="search" class="filter" placeholder="Filter by name, state, URL…" aria-label="Filter resources" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          <select aria-label="Kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">All kinds</option>
            {KINDS.map((k) => (
              <option value={k} key={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
      </header>
      <div class="table-wrap">
        <table class="grid resources">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>State</th>
              <th class="num">Ready</th>
              <th>Health</th>
              <th>Started</th>
              <th class="num">Restarts</th>
              <th>Endpoints</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <Row
                row={row}
                key={row.name}
                expanded={!collapsed.has(row.name)}
                toggle={() => {
                  const next = new Set(collapsed);
                  if (next.has(row.name)) next.delete(row.name);
                  else next.add(row.name);
                  setCollapsed(next);
                }}
              />
            ))}
          </tbody>
        </table>
        {shown.length === 0 ? (
          <p class="empty">{!state.connected && rows.length === 0 ? 'Connecting…' : rows.length === 0 ? 'No resources yet: apply a manifest.' : 'No resource matches the filter.'}</p>
        ) : null}
      </div>
      <footer class="page-foot muted small" data-summary>
        {shown.length} of {rows.length} resources
        {summary(rows).map(([state, n]) => (
          <span key={state} class={`summary tone-${toneOf(state)}`}>
            {n} {state.toLowerCase()}
          </span>
        ))}
      </footer>
    </section>
  );
}
