// -o yaml | json | name for objects, as kubectl prints them.
import { stringify } from 'yaml';
import type { KubeObject } from '../../api/types.ts';
import type { KindRef } from '../kinds.ts';
import { qualifiedName } from '../kinds.ts';
import { CliError } from '../errors.ts';

export type OutputFormat = 'table' | 'wide' | 'yaml' | 'json' | 'name';

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if (['wide', 'yaml', 'json', 'name'].includes(value)) return value as OutputFormat;
  throw new CliError('USAGE', `unable to match a printer suitable for the output format "${value}", allowed formats are: json,name,wide,yaml`);
}

/** One object prints as itself; several as a `List`. */
export function formatObjects(objs: KubeObject[], format: 'yaml' | 'json', asList: boolean): string {
  const value = asList ? { apiVersion: 'v1', kind: 'List', items: objs, metadata: { resourceVersion: '' } } : objs[0];
  return format === 'json' ? JSON.stringify(value, null, 4) + '\n' : stringify(value);
}

export function formatNames(kind: KindRef, objs: KubeObject[]): string {
  return objs.map((o) => qualifiedName(kind, o.metadata.name) + '\n').join('');
}
