// ANSI SGR colour codes (what CLIs print) to styled segments; every other escape is dropped.
export interface Segment {
  text: string;
  style?: string;
}

const BASIC = ['#3b4048', '#f07178', '#a6d189', '#e5c07b', '#7aa2f7', '#c678dd', '#56b6c2', '#d8dce4'];
const BRIGHT = ['#7f848e', '#ff8b92', '#c3e88d', '#ffd580', '#9ab8ff', '#e0a3f5', '#89ddff', '#ffffff'];

function color256(n: number): string {
  if (n < 8) return BASIC[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

interface Attrs {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

function styleOf(a: Attrs): string | undefined {
  const s: string[] = [];
  if (a.fg) s.push(`color:${a.fg}`);
  if (a.bg) s.push(`background:${a.bg}`);
  if (a.bold) s.push('font-weight:600');
  if (a.dim) s.push('opacity:.7');
  if (a.italic) s.push('font-style:italic');
  if (a.underline) s.push('text-decoration:underline');
  return s.length ? s.join(';') : undefined;
}

function apply(a: Attrs, codes: number[]): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) Object.keys(a).forEach((k) => delete a[k as keyof Attrs]);
    else if (c === 1) a.bold = true;
    else if (c === 2) a.dim = true;
    else if (c === 3) a.italic = true;
    else if (c === 4) a.underline = true;
    else if (c === 22) a.bold = a.dim = false;
    else if (c === 23) a.italic = false;
    else if (c === 24) a.underline = false;
    else if (c >= 30 && c <= 37) a.fg = BASIC[c - 30];
    else if (c >= 90 && c <= 97) a.fg = BRIGHT[c - 90];
    else if (c === 39) delete a.fg;
    else if (c >= 40 && c <= 47) a.bg = BASIC[c - 40];
    else if (c >= 100 && c <= 107) a.bg = BRIGHT[c - 100];
    else if (c === 49) delete a.bg;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      a[c === 38 ? 'fg' : 'bg'] = color256(codes[i + 2] ?? 0);
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      a[c === 38 ? 'fg' : 'bg'] = `rgb(${codes[i + 2] ?? 0},${codes[i + 3] ?? 0},${codes[i + 4] ?? 0})`;
      i += 4;
    }
  }
}

// CSI sequences (ESC [ ... final byte) and OSC (ESC ] ... BEL or ESC \).
const ESCAPES = /\x1b\[([0-9;]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b./g;

export function parseAnsi(line: string): Segment[] {
  if (!line.includes('\x1b')) return [{ text: line }];
  const out: Segment[] = [];
  const attrs: Attrs = {};
  let last = 0;
  for (const m of line.matchAll(ESCAPES)) {
    if (m.index! > last) out.push({ text: line.slice(last, m.index), style: styleOf(attrs) });
    last = m.index! + m[0].length;
    if (m[2] === 'm') apply(attrs, (m[1] || '0').split(';').map(Number));
  }
  if (last < line.length) out.push({ text: line.slice(last), style: styleOf(attrs) });
  return out;
}

export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ESCAPES, '') : line;
}
