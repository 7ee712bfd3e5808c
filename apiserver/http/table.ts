// The meta.k8s.io/v1 Table view of objects, from the CRD's additionalPrinterColumns (Name first, like
// the Kubernetes CRD table convertor; `date` columns become ages such as "5m").
import type { KubeObject } from '../../src/api/types.ts';
import type { KindInfo, PrinterColumn } from '../registry/types.ts';
import { ageOf } from './age.ts';
import { evaluatePath } from './json-path.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};
const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

const definitions = new WeakMap<KindInfo, { columns: PrinterColumn[]; defs: ColumnDefinition[] }>();

function columnsOf(info: KindInfo): { columns: PrinterColumn[]; defs: ColumnDefinition[] } {
  let hit = definitions.get(info);
  if (!hit) {
    // A CRD without printer columns prints Name and Age.
    const columns = info.printerColumns.length > 0 ? info.printerColumns : [AGE_COLUMN];
    const defs = [
      NAME_COLUMN,
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ];
    hit = { columns, defs };
    definitions.set(info, hit);
  }
  return hit;
}

function cell(column: PrinterColumn, obj: KubeObject, now: number): unknown {
  const values = evaluatePath(obj, column.jsonPath);
  if (values.length === 0 || values[0] === undefined || values[0] === null) return null;
  const v = values[0];
  switch (column.type) {
    case 'date':
      return ageOf(v, now);
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface TableOptions {
  now: number;
  include: IncludeObject;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Leave out columnDefinitions (watch events after the first). */
  omitHeaders?: boolean;
}

export function toTable(info: KindInfo, objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const { columns, defs } = columnsOf(info);
  const rows = objects.map((obj) => {
    const cells: unknown[] = [obj.metadata.name];
    for (const c of columns) cells.push(cell(c, obj, options.now));
    const object = rowObject(obj, options.include);
    return object === undefined ? { cells } : { cells, object };
  });
  const metadata: Record<string, unknown> = {};
  if (options.resourceVersion !== undefined) metadata['resourceVersion'] = options.resourceVersion;
  if (options.continue) metadata['continue'] = options.continue;
  if (options.remainingItemCount !== undefined) metadata['remainingItemCount'] = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.omitHeaders ? null : defs,
    rows,
  };
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}
