// A CustomResourceDefinition object -> the KindInfo the store and the HTTP layer use, plus the
// checks a real API server applies to the CRD itself (so ours install unchanged into a cluster).
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../../src/api/names.ts';
import { isPlainObject, type JsonObject } from './json.ts';
import { structuralErrors } from './structural.ts';
import type { KindInfo, PrinterColumn, ScaleSubresource } from '../../src/api/registry.ts';

const COLUMN_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'date']);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The version the registry serves: the storage version, else the first served one. */
function chosenVersion(spec: JsonObject): JsonObject | undefined {
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [];
  return versions.find((v) => v.storage === true) ?? versions.find((v) => v.served === true);
}

/** Everything wrong with a CRD, as `<field>: <message>` lines; empty means it is acceptable. */
export function crdErrors(crd: JsonObject): string[] {
  const errs: string[] = [];
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1') errs.push(`apiVersion: Unsupported value: ${JSON.stringify(crd.apiVersion)}: supported values: "apiextensions.k8s.io/v1"`);
  if (crd.kind !== 'CustomResourceDefinition') errs.push(`kind: Unsupported value: ${JSON.stringify(crd.kind)}: supported values: "CustomResourceDefinition"`);
  const spec = isPlainObject(crd.spec) ? crd.spec : undefined;
  if (!spec) return [...errs, 'spec: Required value'];
  const names = isPlainObject(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const plural = str(names.plural);
  const kind = str(names.kind);
  if (!group) errs.push('spec.group: Required value');
  else {
    for (const m of dns1123SubdomainErrors(group)) errs.push(`spec.group: Invalid value: ${JSON.stringify(group)}: ${m}`);
    if (!group.includes('.')) errs.push(`spec.group: Invalid value: ${JSON.stringify(group)}: should be a domain with at least one dot`);
  }
  if (!plural) errs.push('spec.names.plural: Required value');
  else for (const m of dns1123LabelErrors(plural)) errs.push(`spec.names.plural: Invalid value: ${JSON.stringify(plural)}: ${m}`);
  if (names.singular !== undefined) {
    for (const m of dns1123LabelErrors(String(names.singular))) errs.push(`spec.names.singular: Invalid value: ${JSON.stringify(names.singular)}: ${m}`);
  }
  if (!kind) errs.push('spec.names.kind: Required value');
  else if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) errs.push(`spec.names.kind: Invalid value: ${JSON.stringify(kind)}: must be a CamelCase identifier`);
  strings(names.shortNames).forEach((s, i) => {
    for (const m of dns1123LabelErrors(s)) errs.push(`spec.names.shortNames[${i}]: Invalid value: ${JSON.stringify(s)}: ${m}`);
  });
  const metaName = isPlainObject(crd.metadata) ? crd.metadata.name : undefined;
  if (plural && group && metaName !== `${plural}.${group}`) {
    errs.push(`metadata.name: Invalid value: ${JSON.stringify(metaName)}: must be spec.names.plural+"."+spec.group`);
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errs.push(`spec.scope: Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`);
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push('spec.versions: Invalid value: must have exactly one version marked as storage version');
  else if (versions.filter((v) => isPlainObject(v) && v.storage === true).length !== 1) {
    errs.push('spec.versions: Invalid value: must have exactly one version marked as storage version');
  }
  versions.forEach((v, i) => versionErrors(v, `spec.versions[${i}]`, errs));
  return errs;
}

function versionErrors(v: unknown, path: string, errs: string[]): void {
  if (!isPlainObject(v)) {
    errs.push(`${path}: Invalid value: must be an object`);
    return;
  }
  if (!str(v.name)) errs.push(`${path}.name: Required value`);
  if (typeof v.served !== 'boolean') errs.push(`${path}.served: Required value`);
  if (typeof v.storage !== 'boolean') errs.push(`${path}.storage: Required value`);
  const schema = isPlainObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
  if (!isPlainObject(schema)) errs.push(`${path}.schema.openAPIV3Schema: Required value: schemas are required`);
  else errs.push(...structuralErrors(schema, `${path}.schema.openAPIV3Schema`));
  const selectable = v.selectableFields;
  if (selectable !== undefined && !Array.isArray(selectable)) errs.push(`${path}.selectableFields: Invalid value: must be a list`);
  if (Array.isArray(selectable)) {
    selectable.forEach((f, i) => {
      const p = isPlainObject(f) ? f.jsonPath : undefined;
      if (typeof p !== 'string' || !SIMPLE_PATH.test(p) || p.startsWith('.metadata.')) {
        errs.push(`${path}.selectableFields[${i}].jsonPath: Invalid value: ${JSON.stringify(p)}: must be a simple json path outside metadata`);
      }
    });
  }
  const scale = isPlainObject(v.subresources) ? v.subresources.scale : undefined;
  if (scale !== undefined) scaleErrors(scale, `${path}.subresources.scale`, errs);
  const columns = v.additionalPrinterColumns;
  if (columns !== undefined && !Array.isArray(columns)) errs.push(`${path}.additionalPrinterColumns: Invalid value: must be a list`);
  if (Array.isArray(columns)) {
    columns.forEach((c, i) => {
      const cp = `${path}.additionalPrinterColumns[${i}]`;
      if (!isPlainObject(c)) return errs.push(`${cp}: Invalid value: must be an object`);
      if (!str(c.name)) errs.push(`${cp}.name: Required value`);
      if (!COLUMN_TYPES.has(c.type as string)) errs.push(`${cp}.type: Unsupported value: ${JSON.stringify(c.type)}: supported values: "boolean", "date", "integer", "number", "string"`);
      if (typeof c.jsonPath !== 'string' || !c.jsonPath.startsWith('.')) errs.push(`${cp}.jsonPath: Invalid value: ${JSON.stringify(c.jsonPath)}: must be a simple json path starting with .`);
      if (c.priority !== undefined && !(Number.isInteger(c.priority) && (c.priority as number) >= 0)) errs.push(`${cp}.priority: Invalid value: ${JSON.stringify(c.priority)}: must be a non-negative integer`);
      return undefined;
    });
  }
}

/** The simple JSON paths Kubernetes allows in `subresources.scale` (`.spec.x`, `.status.y`). */
const SIMPLE_PATH = /^(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

function scaleErrors(scale: unknown, path: string, errs: string[]): void {
  if (!isPlainObject(scale)) return void errs.push(`${path}: Invalid value: must be an object`);
  const check = (field: string, prefix: string, required: boolean) => {
    const value = scale[field];
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || !SIMPLE_PATH.test(value) || !value.startsWith(prefix)) {
      errs.push(`${path}.${field}: Invalid value: ${JSON.stringify(value)}: should be a json path under ${prefix}`);
    }
  };
  check('specReplicasPath', '.spec.', true);
  check('statusReplicasPath', '.status.', true);
  check('labelSelectorPath', '.', false);
}

function scaleOf(scale: JsonObject): ScaleSubresource {
  return {
    specReplicasPath: scale.specReplicasPath as string,
    statusReplicasPath: scale.statusReplicasPath as string,
    ...(typeof scale.labelSelectorPath === 'string' ? { labelSelectorPath: scale.labelSelectorPath } : {}),
  };
}

/** KindInfo for a CRD that passed crdErrors. */
export function kindInfoFromCrd(crd: JsonObject): KindInfo {
  const spec = crd.spec as JsonObject;
  const names = spec.names as JsonObject;
  const version = chosenVersion(spec)!;
  const group = spec.group as string;
  const plural = names.plural as string;
  const kind = names.kind as string;
  const columns = Array.isArray(version.additionalPrinterColumns) ? (version.additionalPrinterColumns as JsonObject[]) : [];
  const printerColumns: PrinterColumn[] = columns.map((c) => ({
    name: c.name as string,
    type: c.type as string,
    jsonPath: c.jsonPath as string,
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
    ...(typeof c.priority === 'number' ? { priority: c.priority } : {}),
    ...(typeof c.format === 'string' ? { format: c.format } : {}),
  }));
  const subresources = isPlainObject(version.subresources) ? version.subresources : {};
  const selectable = Array.isArray(version.selectableFields) ? version.selectableFields.filter(isPlainObject) : [];
  const selectableFields = selectable.map((f) => f.jsonPath).filter((p): p is string => typeof p === 'string' && p.startsWith('.')).map((p) => p.slice(1));
  return {
    // The core group (Events, Namespaces) is keyed by its plural alone.
    key: group === '' ? plural : `${plural}.${group}`,
    group,
    version: version.name as string,
    kind,
    listKind: str(names.listKind) ?? `${kind}List`,
    plural,
    singular: str(names.singular) ?? kind.toLowerCase(),
    shortNames: strings(names.shortNames),
    categories: strings(names.categories),
    namespaced: spec.scope === 'Namespaced',
    hasStatusSubresource: isPlainObject(subresources.status),
    ...(isPlainObject(subresources.scale) ? { scale: scaleOf(subresources.scale) } : {}),
    ...(selectableFields.length > 0 ? { selectableFields } : {}),
    printerColumns,
    schema: (version.schema as JsonObject).openAPIV3Schema as JsonObject,
    crd,
  };
}
