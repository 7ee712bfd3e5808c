// The small JSONPath subset CRD printer columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a['x.y']`,
// `.a[?(@.k=="v")].b`. Returns every match, in order.

type Step =
  | { t: 'key'; key: string }
  | { t: 'index'; index: number }
  | { t: 'all' }
  | { t: 'filter'; path: string[]; value: string };

const compiled = new Map<string, Step[] | null>();

function compile(path: string): Step[] | null {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      let j = i + 1;
      while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
      const key = p.slice(i + 1, j);
      if (key === '*') steps.push({ t: 'all' });
      else if (key !== '') steps.push({ t: 'key', key });
      i = j;
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end === -1) return null;
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ t: 'key', key: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[\w-]+)+)\s*==\s*(?:"([^"]*)"|'([^']*)'|(\S+))\)$/.exec(inner);
        if (!m) return null;
        steps.push({ t: 'filter', path: m[1]!.slice(1).split('.'), value: m[2] ?? m[3] ?? m[4]! });
      }
    } else {
      // A leading key without a dot ("status.url").
      let j = i;
      while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
      steps.push({ t: 'key', key: p.slice(i, j) });
      i = j;
    }
  }
  return steps;
}

function child(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

export function evaluatePath(obj: unknown, path: string): unknown[] {
  let steps = compiled.get(path);
  if (steps === undefined) {
    steps = compile(path);
    if (compiled.size < 1000) compiled.set(path, steps);
  }
  if (!steps) return [];
  let current: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.t === 'key') {
        const c = child(v, step.key);
        if (c !== undefined) next.push(c);
      } else if (step.t === 'index') {
        if (Array.isArray(v)) {
          const c = v[step.index < 0 ? v.length + step.index : step.index];
          if (c !== undefined) next.push(c);
        }
      } else if (step.t === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const k of step.path) x = child(x, k);
          if (x !== undefined && String(x) === step.value) next.push(item);
        }
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}
