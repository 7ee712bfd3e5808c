// The JSONPath subset CRD printer columns use: `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `.a['x.y']`,
// escaped dots (`.labels.app\.kubernetes\.io/name`), and filters `[?(@.type=="Ready")]` with
// ==, !=, <, <=, >, >= or bare existence `[?(@.x)]`. Optional `{...}` and leading `$`.
// Compiled paths are cached.

type Literal = string | number | boolean | null;
type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op?: Op; value?: Literal };

export class JsonPathError extends Error {
  readonly code = 'JSONPATH_INVALID';
  constructor(path: string, why: string) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${why}`);
    this.name = 'JsonPathError';
  }
}

const cache = new Map<string, Step[]>();
const FILTER = /^@((?:\.[A-Za-z0-9_\-/]+)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$/;

function parseLiteral(text: string, path: string): Literal {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  const n = Number(t);
  if (t !== '' && Number.isFinite(n)) return n;
  throw new JsonPathError(path, `unsupported literal ${t}`);
}

export function compileJsonPath(path: string): Step[] {
  const cached = cache.get(path);
  if (cached) return cached;
  let s = path.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      if (s[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) {
          name += s[i + 1];
          i += 2;
        } else {
          name += s[i++];
        }
      }
      if (name === '') {
        if (i >= s.length && steps.length === 0) break; // "." is the whole object
        throw new JsonPathError(path, 'empty field name');
      }
      steps.push({ kind: 'field', name });
    } else if (c === '[') {
      let j = i + 1;
      let quote: string | undefined;
      for (; j < s.length; j++) {
        const d = s[j];
        if (quote) {
          if (d === quote) quote = undefined;
        } else if (d === '"' || d === "'") quote = d;
        else if (d === ']') break;
      }
      if (j >= s.length) throw new JsonPathError(path, 'unterminated [');
      steps.push(parseBracket(s.slice(i + 1, j).trim(), path));
      i = j + 1;
    } else {
      throw new JsonPathError(path, `unexpected ${JSON.stringify(c)} at ${i}`);
    }
  }
  cache.set(path, steps);
  return steps;
}

function parseBracket(inner: string, path: string): Step {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith('"') && inner.endsWith('"'))) {
    return { kind: 'field', name: inner.slice(1, -1) };
  }
  if (inner.startsWith('?(') && inner.endsWith(')')) {
    const m = FILTER.exec(inner.slice(2, -1).trim());
    if (!m) throw new JsonPathError(path, `unsupported filter ${inner}`);
    const fields = m[1] ? m[1].slice(1).split('.') : [];
    if (!m[2]) return { kind: 'filter', path: fields };
    return { kind: 'filter', path: fields, op: m[2] as Op, value: parseLiteral(m[3]!, path) };
  }
  throw new JsonPathError(path, `unsupported [${inner}]`);
}

function get(value: unknown, fields: string[]): unknown {
  let v = value;
  for (const f of fields) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[f];
  }
  return v;
}

function compare(a: unknown, op: Op, b: Literal): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}

/** Every value the path selects, in document order. Throws JsonPathError for an unsupported path. */
export function findJsonPathResults(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const step of compileJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      switch (step.kind) {
        case 'field':
          if (typeof v === 'object' && !Array.isArray(v)) {
            const x = (v as Record<string, unknown>)[step.name];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'index':
          if (Array.isArray(v)) {
            const x = v[step.index < 0 ? v.length + step.index : step.index];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object') next.push(...Object.values(v as object));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) {
              const field = get(item, step.path);
              if (step.op === undefined ? field !== undefined && field !== null : compare(field, step.op, step.value!)) next.push(item);
            }
          }
          break;
      }
    }
    current = next;
  }
  return current;
}

/** The first value the path selects, or undefined. Throws JsonPathError for an unsupported path. */
export function evaluateJsonPath(obj: unknown, path: string): unknown {
  const results = findJsonPathResults(obj, path);
  return results.length > 0 ? results[0] : undefined;
}
