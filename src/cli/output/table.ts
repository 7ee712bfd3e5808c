// Prints a server-side Table (`application/json;as=Table;g=meta.k8s.io;v=v1`) like kubectl.
import { formatColumns } from './columns.ts';

export interface TableColumn {
  name: string;
  type?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };
}

export interface Table {
  kind: 'Table';
  columnDefinitions: TableColumn[];
  rows: TableRow[];
  metadata?: { resourceVersion?: string };
}

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface TableOptions {
  wide?: boolean;
  /** Prefix a NAMESPACE column (for -A). */
  withNamespace?: boolean;
  showLabels?: boolean;
  noHeaders?: boolean;
}

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '<none>';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function labels(l: Record<string, string> | undefined): string {
  const e = Object.entries(l ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** Header and rows as strings; several tables (of one kind) merge into one. */
export function tableRows(tables: Table[], options: TableOptions = {}): { header: string[]; rows: string[][] } {
  const first = tables[0];
  const cols = first.columnDefinitions
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => options.wide || !c.priority);
  const header = cols.map(({ c }) => c.name.toUpperCase());
  if (options.withNamespace) header.unshift('NAMESPACE');
  if (options.showLabels) header.push('LABELS');
  const rows: string[][] = [];
  for (const t of tables) {
    for (const r of t.rows) {
      const row = cols.map(({ i }) => cell(r.cells[i]));
      if (options.withNamespace) row.unshift(r.object?.metadata?.namespace ?? '');
      if (options.showLabels) row.push(labels(r.object?.metadata?.labels));
      rows.push(row);
    }
  }
  return { header, rows };
}

export function renderTable(tables: Table[], options: TableOptions = {}, widths?: number[]): { text: string; widths: number[] } {
  const { header, rows } = tableRows(tables, options);
  const { lines, widths: w } = formatColumns(options.noHeaders ? undefined : header, rows, widths);
  return { text: lines.length ? lines.join('\n') + '\n' : '', widths: w };
}
