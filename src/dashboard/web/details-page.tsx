// Details of one resource: spec summary, endpoints with their proxy counters, the environment of
// each replica (secret-looking values masked until clicked), conditions, references and waitFor,
// and the last events when the server has an Event kind.
import { useState } from 'preact/hooks';
import { looksSecret } from '../../api/secrets.ts';
import type { Condition, KubeObject, Replica, Resource } from '../../api/types.ts';
import { Actions } from './actions.tsx';
import { age, bytes } from './format.ts';
import { resourceRows, toneOf, type ResourceRow } from './model.ts';
import { href } from './router.ts';
import { listOf, useAppState, useTick } from './state.ts';
import { Badge, EndpointLink } from './widgets.tsx';

function Card(props: { title: string; wide?: boolean; children: preact.ComponentChildren; testid?: string; extra?: preact.ComponentChildren }) {
  return (
    <section class={`card ${props.wide ? 'wide' : ''}`} data-card={props.testid}>
      <h2>
        {props.title}
        {props.extra}
      </h2>
      <div class="body">{props.children}</div>
    </section>
  );
}

function SpecSummary(props: { r: Resource }) {
  const s = props.r.spec ?? {};
  const rows: [string, string][] = [];
  if (s.executable) {
    rows.push(['Command', [s.executable.command, ...(s.executable.args ?? [])].join(' ')]);
    if (s.executable.workingDir) rows.push(['Working dir', s.executable.workingDir]);
    if (s.executable.launchProfile) rows.push(['Launch profile', [s.executable.launchProfile.name, s.executable.launchProfile.file].filter(Boolean).join(' in ') || 'default']);
  }
  if (s.container) {
    rows.push(['Image', `${s.container.image}${s.container.tag ? `:${s.container.tag}` : ''}`]);
    if (s.container.command || s.container.args) rows.push(['Command', [s.container.command, ...(s.container.args ?? [])].filter(Boolean).join(' ')]);
    if (s.container.networkAliases?.length) rows.push(['Network aliases', s.container.networkAliases.join(', ')]);
    for (const v of s.container.volumes ?? []) rows.push(['Volume', `${v.source ?? '(anonymous)'} → ${v.target}${v.readOnly ? ' (ro)' : ''}`]);
  }
  rows.push(['Replicas', `${s.replicas ?? 1}${s.stopped ? ' (stopped)' : ''}`]);
  rows.push(['Lifetime', s.lifetime ?? 'Session']);
  rows.push(['Restart policy', s.restartPolicy ?? 'Always']);
  if (s.healthCheck) {
    const hc = s.healthCheck;
    rows.push(['Health check', `${hc.type ?? 'http'}${hc.path ? ` GET ${hc.path}` : ''}${hc.endpoint ? ` on endpoint ${hc.endpoint}` : ''}`]);
  }
  rows.push(['Created', `${age(props.r.metadata.creationTimestamp)} ago`]);
  return (
    <dl class="kv">
      {rows.map(([k, v]) => [<dt key={`${k}-k`}>{k}</dt>, <dd key={`${k}-v`} class={k === 'Command' || k === 'Image' ? 'mono' : ''}>{v}</dd>])}
    </dl>
  );
}

function Endpoints(props: { row: ResourceRow }) {
  if (props.row.endpoints.length === 0) return <p class="muted">No endpoints.</p>;
  return (
    <table class="plain">
      <thead>
        <tr>
          <th>Name</th>
          <th>URL</th>
          <th>Targets</th>
          <th class="num">Active</th>
          <th class="num">Total</th>
          <th class="num">In</th>
          <th class="num">Out</th>
          <th class="num">Failed</th>
        </tr>
      </thead>
      <tbody>
        {props.row.endpoints.map((ep) => {
          const p = ep.proxy?.status;
          const targets = ep.object.status?.targets ?? [];
          return (
            <tr key={ep.name} data-endpoint-row={ep.name}>
              <td>{ep.name}</td>
              <td>
                <EndpointLink ep={ep} />
                {ep.proxied ? null : <span class="muted small"> (proxyless)</span>}
                {p?.lastError ? <div class="small tone-bad">{p.lastError}</div> : null}
              </td>
              <td class="mono small">
                {targets.length
                  ? targets.map((t) => (
                      <div key={t.replica} class={t.ready ? '' : 'muted'}>
                        {t.replica} {t.address}:{t.port}
                        {t.ready ? '' : ' (not ready)'}
                      </div>
                    ))
                  : '—'}
              </td>
              <td class="num" data-counter="active">{p?.activeConnections ?? '—'}</td>
              <td class="num" data-counter="total">{p?.totalConnections ?? '—'}</td>
              <td class="num">{bytes(p?.bytesIn)}</td>
              <td class="num">{bytes(p?.bytesOut)}</td>
              <td class="num">{p?.failedConnects ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SecretValue(props: { name: string; value: string }) {
  const [shown, setShown] = useState(false);
  if (!looksSecret(props.name)) return <span class="mono small">{props.value}</span>;
  return (
    <span class={`secret ${shown ? 'shown' : ''}`} data-secret={props.name} title={shown ? 'Click to hide' : 'Looks like a secret: click to show'} onClick={() => setShown(!shown)}>
      {shown ? props.value : '••••••••'}
    </span>
  );
}

function Environment(props: { r: Resource; replicas: Replica[] }) {
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const current = props.replicas.find((x) => x.metadata.name === selected) ?? props.replicas[0];
  const env: { name: string; value: string }[] = current
    ? (current.status?.env ?? current.spec.env ?? [])
    : (props.r.spec?.env ?? []).map((e) => ({ name: e.name, value: e.value ?? (e.valueFrom?.endpoint ? `(from endpoint ${e.valueFrom.endpoint.resource}/${e.valueFrom.endpoint.name ?? ''} ${e.valueFrom.endpoint.property ?? 'url'})` : e.valueFrom?.parameter ? `(from parameter ${e.valueFrom.parameter.name})` : '') }));
  return (
    <>
      {props.replicas.length > 1 ? (
        <div class="tabs" role="tablist">
          {props.replicas.map((x) => (
            <button key={x.metadata.name} role="tab" class={x === current ? 'active' : ''} onClick={() => setSelected(x.metadata.name)}>
              {x.metadata.name}
            </button>
          ))}
        </div>
      ) : null}
      {env.length === 0 ? (
        <p class="muted">No variables.</p>
      ) : (
        <table class="plain" data-env-of={current?.metadata.name ?? ''}>
          <tbody>
            {[...env]
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((e) => (
                <tr key={e.name} data-env={e.name}>
                  <td class="mono small">{e.name}</td>
                  <td>
                    <SecretValue name={e.name} value={e.value} />
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Conditions(props: { objects: KubeObject[] }) {
  const rows = props.objects.flatMap((o) => ((o.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).map((c) => ({ o, c })));
  if (rows.length === 0) return <p class="muted">No conditions yet.</p>;
  return (
    <table class="plain">
      <thead>
        <tr>
          <th>Object</th>
          <th>Type</th>
          <th>Status</th>
          <th>Reason</th>
          <th>Message</th>
          <th>Age</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ o, c }) => (
          <tr key={`${o.kind}/${o.metadata.name}/${c.type}`} data-condition={c.type}>
            <td class="small muted">
              {o.kind.toLowerCase()}/{o.metadata.name}
            </td>
            <td>{c.type}</td>
            <td>
              <Badge tone={c.status === 'True' ? 'ok' : c.status === 'False' ? 'bad' : 'warn'} text={c.status} />
            </td>
            <td>{c.reason ?? ''}</td>
            <td class="small">{c.message ?? ''}</td>
            <td class="small muted" title={c.lastTransitionTime}>
              {age(c.lastTransitionTime)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Dependencies(props: { r: Resource; rows: ResourceRow[] }) {
  const refs = props.r.spec?.references ?? [];
  const waits = props.r.spec?.waitFor ?? [];
  const usedBy = props.rows.filter((x) => x.object.spec?.references?.some((ref) => ref.resource === props.r.metadata.name) || x.object.spec?.waitFor?.some((w) => w.resource === props.r.metadata.name));
  const link = (name: string) => {
    const other = props.rows.find((x) => x.name === name);
    return (
      <span>
        <a href={href({ page: 'details', resource: name })}>{name}</a> {other ? <Badge tone={other.tone} text={other.state} /> : <span class="tone-bad small">missing</span>}
      </span>
    );
  };
  if (!refs.length && !waits.length && !usedBy.length) return <p class="muted">No references, no waitFor, nothing depends on it.</p>;
  return (
    <dl class="kv">
      {refs.map((ref) => [
        <dt key={`r-${ref.resource}-${ref.endpoint ?? ''}`}>References</dt>,
        <dd key={`rv-${ref.resource}-${ref.endpoint ?? ''}`}>
          {link(ref.resource)}
          {ref.endpoint ? <span class="muted"> endpoint {ref.endpoint}</span> : null}
        </dd>,
      ])}
      {waits.map((w) => [
        <dt key={`w-${w.resource}`}>Waits for</dt>,
        <dd key={`wv-${w.resource}`}>
          {link(w.resource)} <span class="muted">to be {w.condition ?? 'Running'}</span>
        </dd>,
      ])}
      {usedBy.map((u) => [
        <dt key={`u-${u.name}`}>Used by</dt>,
        <dd key={`uv-${u.name}`}>{link(u.name)}</dd>,
      ])}
    </dl>
  );
}

interface EventLike extends KubeObject {
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  related?: { kind?: string; name?: string };
  regarding?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  note?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
}

export function eventsOf(names: Set<string>): EventLike[] {
  const when = (e: EventLike) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  return listOf<EventLike>('events')
    .filter((e) => names.has((e.involvedObject ?? e.regarding)?.name ?? ''))
    .sort((a, b) => when(b).localeCompare(when(a)))
    .slice(0, 50);
}

function Events(props: { names: Set<string> }) {
  const events = eventsOf(props.names);
  if (events.length === 0) return <p class="muted">No events.</p>;
  return (
    <table class="plain">
      <thead>
        <tr>
          <th>Age</th>
          <th>Type</th>
          <th>Reason</th>
          <th>Object</th>
          <th>Message</th>
          <th class="num">Count</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          // A replica's events sit on its Resource with the replica as `related` (kubectl describe finds them there).
          const about = e.related ?? e.involvedObject ?? e.regarding;
          return (
            <tr key={e.metadata.name} data-event={e.reason ?? ''}>
              <td class="small muted">{age(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp)}</td>
              <td class={e.type === 'Warning' ? 'tone-warn' : ''}>{e.type ?? ''}</td>
              <td>{e.reason ?? ''}</td>
              <td class="small muted">
                {about?.kind?.toLowerCase()}/{about?.name}
              </td>
              <td class="small">{e.message ?? e.note ?? ''}</td>
              <td class="num">{e.count ?? 1}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function DetailsPage(props: { resource: string }) {
  const state = useAppState();
  useTick(5000);
  const rows = resourceRows();
  const row = rows.find((x) => x.name === props.resource);
  if (!row) {
    return (
      <section class="page">
        <p class="empty">{state.connected ? `No resource named "${props.resource}".` : 'Connecting…'}</p>
      </section>
    );
  }
  const related: KubeObject[] = [row.object, ...row.replicas, ...row.endpoints.map((e) => e.object)];
  const names = new Set(related.map((o) => o.metadata.name));
  return (
    <section class="page" data-details={row.name}>
      <header class="page-head">
        <h1>
          <a href={href({ page: 'resources' })} class="muted">
            Resources
          </a>{' '}
          / {row.name}
        </h1>
        <span class={`kind kind-${row.kind}`}>{row.kind}</span>
        <Badge tone={row.tone} text={row.state} title={row.reason} />
        <span class="muted">
          {row.ready}/{row.desired} ready
        </span>
        {row.reason ? <span class="reason">{row.reason}</span> : null}
        <div class="toolbar">
          <Actions row={row} />
        </div>
      </header>
      <div class="cards">
        <Card title="Spec" testid="spec">
          <SpecSummary r={row.object} />
        </Card>
        <Card title="References and waitFor" testid="dependencies">
          <Dependencies r={row.object} rows={rows} />
        </Card>
        <Card title="Endpoints" wide testid="endpoints">
          <Endpoints row={row} />
        </Card>
        <Card title="Replicas" testid="replicas">
          {row.replicas.length === 0 ? (
            <p class="muted">No replicas.</p>
          ) : (
            <table class="plain">
              <tbody>
                {row.replicas.map((x) => (
                  <tr key={x.metadata.name}>
                    <td>
                      <a href={href({ page: 'console', resource: row.name, replica: x.metadata.name })}>{x.metadata.name}</a>
                    </td>
                    <td class="mono small">{x.status?.pid !== undefined ? `pid ${x.status.pid}` : (x.status?.containerId?.slice(0, 12) ?? '—')}</td>
                    <td>
                      <Badge tone={x.status?.ready ? 'ok' : toneOf(x.status?.state)} text={x.status?.state ?? 'Pending'} />
                    </td>
                    <td class="small muted">{x.status?.restarts ?? 0} restarts</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card title="Environment" testid="environment">
          <Environment r={row.object} replicas={row.replicas} />
        </Card>
        <Card title="Conditions" wide testid="conditions">
          <Conditions objects={related} />
        </Card>
        {state.kinds.includes('events') ? (
          <Card title="Events" wide testid="events">
            <Events names={names} />
          </Card>
        ) : null}
      </div>
    </section>
  );
}
