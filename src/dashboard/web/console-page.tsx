// Console logs of a resource (every replica interleaved, each line tagged) or of one replica:
// follow, pause, filter, stderr marked, ANSI colours, timestamps, download. Lines stream from
// /api/logs over SSE into a bounded LogBuffer and render through a virtualised list.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Replica, Resource } from '../../api/types.ts';
import { parseAnsi, stripAnsi } from './ansi.ts';
import { LogBuffer, MAX_LINES, type WireLine } from './log-buffer.ts';
import { href } from './router.ts';
import { listOf, useAppState } from './state.ts';
import { VirtualList } from './virtual-list.tsx';

const ROW = 18;
const PALETTE = ['#7aa2f7', '#e0af68', '#9ece6a', '#bb9af7', '#7dcfff', '#f7768e', '#73daca', '#ff9e64'];

function colourOf(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function timeOf(ms: number): string {
  const d = new Date(ms);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function useLogStream(resource: string | undefined, replica: string | undefined) {
  const buffer = useMemo(() => new LogBuffer(MAX_LINES, (l) => stripAnsi(l[4])), [resource, replica]);
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const [dropped, setDropped] = useState(0);
  useEffect(() => {
    if (!resource) return;
    const q = new URLSearchParams({ resource, ...(replica ? { replica } : {}) });
    const source = new EventSource(`/api/logs?${q}`);
    let frame = 0;
    const bump = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    source.addEventListener('open', () => setLive(true));
    source.addEventListener('error', () => setLive(false));
    // The server sends everything it keeps after every (re)connect.
    source.addEventListener('reset', () => {
      buffer.clear();
      bump();
    });
    source.addEventListener('lines', (e) => {
      buffer.add(JSON.parse((e as MessageEvent).data) as WireLine[]);
      bump();
    });
    source.addEventListener('dropped', (e) => setDropped((n) => n + (JSON.parse((e as MessageEvent).data) as { lines: number }).lines));
    return () => {
      source.close();
      cancelAnimationFrame(frame);
    };
  }, [buffer]);
  return { buffer, version, bump: () => setVersion((v) => v + 1), live, dropped };
}

function LogRow(props: { line: WireLine; top: number; showReplica: boolean; timestamps: boolean }) {
  const [, time, stream, replica, text] = props.line;
  const cls = stream === 'e' ? 'stderr' : stream === 's' ? 'system' : '';
  return (
    <div class={`log-line ${cls}`} style={{ top: `${props.top}px` }} data-stream={stream}>
      {props.timestamps ? <span class="ts">{timeOf(time)}</span> : null}
      {props.showReplica ? (
        <span class="rep" style={{ color: colourOf(replica) }}>
          {replica}
        </span>
      ) : null}
      <span class="text">
        {parseAnsi(text).map((s, i) =>
          s.style ? (
            <span key={i} style={s.style}>
              {s.text}
            </span>
          ) : (
            s.text
          ),
        )}
      </span>
    </div>
  );
}

export function ConsolePage(props: { resource?: string; replica?: string }) {
  useAppState();
  const resources = listOf<Resource>('resources').sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const resource = props.resource ?? resources[0]?.metadata.name;
  const replicas = listOf<Replica>('replicas')
    .filter((r) => r.spec?.resource === resource)
    .sort((a, b) => (a.spec.index ?? 0) - (b.spec.index ?? 0));
  const { buffer, version, bump, live, dropped } = useLogStream(resource, props.replica);
  const [filter, setFilter] = useState('');
  const [follow, setFollow] = useState(true);
  const [paused, setPaused] = useState(false);
  const [timestamps, setTimestamps] = useState(true);

  useEffect(() => {
    buffer.setFilter(filter);
    bump();
  }, [filter, buffer]);
  useEffect(() => {
    buffer.setPaused(paused);
    bump();
  }, [paused, buffer]);

  const go = (res?: string, rep?: string) => (location.hash = href({ page: 'console', resource: res, replica: rep }));
  const download = `/api/logs/download?${new URLSearchParams({ resource: resource ?? '', ...(props.replica ? { replica: props.replica } : {}) })}`;
  const showReplica = !props.replica;
  const repWidth = Math.max(6, ...replicas.map((r) => r.metadata.name.length)) * 7.5 + 4;
  return (
    <section class="page console">
      <header class="page-head">
        <h1>Console</h1>
        <select aria-label="Resource" value={resource ?? ''} onChange={(e) => go((e.target as HTMLSelectElement).value)}>
          {resources.map((r) => (
            <option key={r.metadata.name} value={r.metadata.name}>
              {r.metadata.name}
            </option>
          ))}
        </select>
        <select aria-label="Replica" value={props.replica ?? ''} onChange={(e) => go(resource, (e.target as HTMLSelectElement).value || undefined)}>
          <option value="">All replicas</option>
          {replicas.map((r) => (
            <option key={r.metadata.name} value={r.metadata.name}>
              {r.metadata.name}
            </option>
          ))}
        </select>
        <div class="toolbar">
          <input type="search" class="filter" placeholder="Filter lines…" aria-label="Filter lines" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          <button class={follow ? 'on' : ''} aria-pressed={follow} onClick={() => setFollow(!follow)} title="Keep the newest line in view">
            Follow
          </button>
          <button class={paused ? 'on' : ''} aria-pressed={paused} onClick={() => setPaused(!paused)} title="Hold new lines back">
            {paused ? `Resume (${buffer.held.length})` : 'Pause'}
          </button>
          <button class={timestamps ? 'on' : ''} aria-pressed={timestamps} onClick={() => setTimestamps(!timestamps)}>
            Timestamps
          </button>
          <button
            onClick={() => {
              buffer.clear();
              bump();
            }}
            title="Clear the view (the server keeps its lines)"
          >
            Clear
          </button>
          <a class="button" href={download} download>
            Download
          </a>
        </div>
      </header>
      {resource ? (
        <div class="console" style={{ '--rep-width': `${repWidth}px` }}>
          <VirtualList
            count={buffer.count}
            rowHeight={ROW}
            version={version}
            follow={follow && !paused}
            onScrolledAway={() => setFollow(false)}
            onReachedBottom={() => setFollow(true)}
            row={(i, top) => {
              const line = buffer.at(i);
              return line ? <LogRow key={line[0]} line={line} top={top} showReplica={showReplica} timestamps={timestamps} /> : null;
            }}
          />
          <div class="log-status">
            <span class={live ? 'tone-ok' : 'tone-warn'}>{live ? '● streaming' : '○ reconnecting'}</span>
            <span data-count={buffer.count}>
              {buffer.count.toLocaleString()} {filter ? `matching of ${buffer.lines.length.toLocaleString()} ` : ''}lines
            </span>
            {buffer.dropped > 0 ? <span>older lines dropped from the view (window of {MAX_LINES.toLocaleString()})</span> : null}
            {dropped > 0 ? <span class="tone-warn">{dropped.toLocaleString()} lines skipped: the page could not keep up</span> : null}
          </div>
        </div>
      ) : (
        <p class="empty">No resources yet.</p>
      )}
    </section>
  );
}
