// Table rows for `get`: the Name column, then the CRD's additionalPrinterColumns (or Age when a CRD
// has none), with cells typed as the Kubernetes CRD table convertor types them. Date columns become
// ages ("5m", "3d") relative to `now`.
import { evaluateJsonPath } from './jsonpath.ts';
import type { KindInfo, PrinterColumn } from '../../src/api/registry.ts';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface PrinterOptions {
  /** Reference time for date columns, ms since epoch (default Date.now()). */
  now?: number;
}

const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
  priority: 0,
};

const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

function columns(info: KindInfo): PrinterColumn[] {
  return info.printerColumns.length > 0 ? info.printerColumns : [AGE_COLUMN];
}

/** A kind that places its own `format: name` column (Events: priority 1) gets no leading Name column. */
function ownsNameColumn(info: KindInfo): boolean {
  return info.printerColumns.some((c) => c.format === 'name');
}

/** Column definitions of the Table, Name first (unless the kind places it). */
export function tableColumns(info: KindInfo): TableColumnDefinition[] {
  return [
    ...(ownsNameColumn(info) ? [] : [NAME_COLUMN]),
    ...columns(info).map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
}

/** One Table row's cells, matching tableColumns(info): the name, then one cell per column (null when absent). */
export function printerCells(info: KindInfo, obj: object, options: PrinterOptions = {}): unknown[] {
  const now = options.now ?? Date.now();
  const name = (obj as { metadata?: { name?: unknown } }).metadata?.name;
  const cells: unknown[] = ownsNameColumn(info) ? [] : [typeof name === 'string' ? name : ''];
  for (const col of columns(info)) {
    let value: unknown;
    try {
      value = evaluateJsonPath(obj, col.jsonPath);
    } catch {
      value = undefined;
    }
    cells.push(col.format === 'object-reference' ? objectReferenceCell(value) : cellFor(col.type, value, now));
  }
  return cells;
}

/** `resource/api` for an ObjectReference, as kubectl prints the OBJECT of an Event. */
function objectReferenceCell(ref: unknown): string {
  if (typeof ref !== 'object' || ref === null) return '';
  const { kind, name } = ref as { kind?: unknown; name?: unknown };
  return `${typeof kind === 'string' ? kind.toLowerCase() : ''}/${typeof name === 'string' ? name : ''}`;
}

function cellFor(type: string, value: unknown, now: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** Kubernetes' duration.HumanDuration: 42s, 3m5s, 15m, 5h10m, 12h, 3d4h, 20d, 2y30d, 9y. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.floor(hours / 24 / 365);
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
