// Resources as nodes, references (solid) and waitFor (dashed) as edges from a resource to what it
// depends on, coloured by state. Layered left to right: what nothing depends on sits rightmost.
import { resourceRows, type ResourceRow } from './model.ts';
import { href } from './router.ts';
import { useAppState } from './state.ts';

const W = 190;
const H = 58;
const GAP_X = 90;
const GAP_Y = 22;
const PAD = 24;
const TONE_COLOUR = { ok: '#3fb950', warn: '#d29922', bad: '#f85149', idle: '#6e7681', info: '#58a6ff' } as const;

interface Edge {
  from: string;
  to: string;
  wait: boolean;
}

function edgesOf(rows: ResourceRow[]): Edge[] {
  const names = new Set(rows.map((r) => r.name));
  const edges = new Map<string, Edge>();
  for (const r of rows) {
    for (const ref of r.object.spec?.references ?? []) if (names.has(ref.resource)) edges.set(`${r.name}>${ref.resource}`, { from: r.name, to: ref.resource, wait: false });
    for (const w of r.object.spec?.waitFor ?? []) {
      const key = `${r.name}>${w.resource}`;
      if (names.has(w.resource) && !edges.has(key)) edges.set(key, { from: r.name, to: w.resource, wait: true });
    }
  }
  return [...edges.values()];
}

/** Column of each resource: 0 for no dependencies, else one more than its deepest dependency. */
function layers(rows: ResourceRow[], edges: Edge[]): Map<string, number> {
  const deps = new Map(rows.map((r) => [r.name, edges.filter((e) => e.from === r.name).map((e) => e.to)]));
  const depth = new Map<string, number>();
  const visit = (name: string, stack: Set<string>): number => {
    if (depth.has(name)) return depth.get(name)!;
    if (stack.has(name)) return 0; // a cycle: the API allows it, the picture just stops there
    stack.add(name);
    const d = Math.max(-1, ...(deps.get(name) ?? []).map((x) => visit(x, stack))) + 1;
    stack.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const r of rows) visit(r.name, new Set());
  return depth;
}

export function GraphPage() {
  useAppState();
  const rows = resourceRows();
  const edges = edgesOf(rows);
  const depth = layers(rows, edges);
  const columns: ResourceRow[][] = [];
  for (const r of rows) (columns[depth.get(r.name) ?? 0] ??= []).push(r);
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, c) => col.forEach((r, i) => pos.set(r.name, { x: PAD + c * (W + GAP_X), y: PAD + i * (H + GAP_Y) })));
  const width = PAD * 2 + Math.max(1, columns.length) * (W + GAP_X) - GAP_X;
  const height = PAD * 2 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  return (
    <section class="page">
      <header class="page-head">
        <h1>Graph</h1>
        <span class="muted small">
          arrows point to what a resource depends on: <span class="legend-line" /> reference <span class="legend-line wait" /> waitFor only
        </span>
      </header>
      <div class="graph">
        {rows.length === 0 ? (
          <p class="empty">No resources yet.</p>
        ) : (
          <svg width={width} height={height} role="img" aria-label="Resource graph">
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" fill="#6b7385" />
              </marker>
            </defs>
            {edges.map((e) => {
              const a = pos.get(e.from)!;
              const b = pos.get(e.to)!;
              const x1 = a.x;
              const y1 = a.y + H / 2;
              const x2 = b.x + W;
              const y2 = b.y + H / 2;
              const mid = (x1 + x2) / 2;
              return <path key={`${e.from}>${e.to}`} data-edge={`${e.from}>${e.to}`} class={`edge ${e.wait ? 'wait' : ''}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} marker-end="url(#arrow)" />;
            })}
            {rows.map((r) => {
              const p = pos.get(r.name)!;
              return (
                <a key={r.name} href={href({ page: 'details', resource: r.name })} class="node" data-node={r.name} data-state={r.state}>
                  <rect x={p.x} y={p.y} width={W} height={H} rx="6" stroke={TONE_COLOUR[r.tone]} />
                  <text x={p.x + 12} y={p.y + 22} font-weight="600">
                    {r.name}
                  </text>
                  <circle cx={p.x + 16} cy={p.y + 40} r="4" fill={TONE_COLOUR[r.tone]} />
                  <text x={p.x + 26} y={p.y + 44} class="sub">
                    {r.state} · {r.ready}/{r.desired} · {r.kind}
                  </text>
                </a>
              );
            })}
          </svg>
        )}
      </div>
    </section>
  );
}

