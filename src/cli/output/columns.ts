// kubectl-like plain column output: upper-case headers, columns padded and separated by 3 spaces.

export function formatColumns(header: string[] | undefined, rows: string[][], widths?: number[]): { lines: string[]; widths: number[] } {
  const all = header ? [header, ...rows] : rows;
  const w = widths ? [...widths] : [];
  for (const r of all) r.forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return { lines: all.map(line), widths: w };
}

export function printColumns(out: NodeJS.WritableStream, header: string[], rows: string[][]): void {
  const { lines } = formatColumns(header, rows);
  out.write(lines.join('\n') + '\n');
}

/** `5s`, `3m`, `2h`, `4d` (kubectl's short form). */
export function age(from: string | undefined, now = Date.now()): string {
  if (!from) return '<unknown>';
  const t = Date.parse(from);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
