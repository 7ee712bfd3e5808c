// The meta.k8s.io/v1 Table view of objects: columns and cells from the registry's printer (Name first,
// then the CRD's additionalPrinterColumns; `date` columns become ages such as "5m").
import type { KubeObject } from '../../src/api/types.ts';
import { printerCells, tableColumns, type TableColumnDefinition } from '../registry/index.ts';
import type { KindInfo } from '../../src/api/registry.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const definitions = new WeakMap<KindInfo, TableColumnDefinition[]>();

function columnsOf(info: KindInfo): TableColumnDefinition[] {
  let defs = definitions.get(info);
  if (!defs) definitions.set(info, (defs = tableColumns(info)));
  return defs;
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
  const defs = columnsOf(info);
  const rows = objects.map((obj) => {
    const cells = printerCells(info, obj, { now: options.now });
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
