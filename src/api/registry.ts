// What the store and the HTTP layer need to know about a kind. The registry builds these from the
// CRD YAML files in crds/ (and any CRDs a user adds); nothing else defines a schema.
import type { KubeObject } from './types.ts';
import type { StatusCause } from './status.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** The CRD's `subresources.scale`: where the Scale subresource reads and writes replicas. */
export interface ScaleSubresource {
  /** e.g. `.spec.replicas` */
  specReplicasPath: string;
  /** e.g. `.status.replicas` */
  statusReplicasPath: string;
  /** e.g. `.status.selector` (a label selector string) */
  labelSelectorPath?: string;
}

export interface KindInfo {
  /** Store key: `<plural>.<group>`, e.g. `resources.apphost.dev`. */
  key: string;
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  hasStatusSubresource: boolean;
  /**
   * Field selector labels beyond metadata.name and metadata.namespace (the CRD's `selectableFields`,
   * without the leading dot), e.g. `involvedObject.name` on Events.
   */
  selectableFields?: string[];
  /** Present when the CRD declares `subresources.scale`. */
  scale?: ScaleSubresource;
  printerColumns: PrinterColumn[];
  /** The CRD's openAPIV3Schema for this version. */
  schema: Record<string, unknown>;
  /** The CustomResourceDefinition this kind came from (for discovery and OpenAPI). */
  crd?: Record<string, unknown>;
  /**
   * A Kubernetes kind apphost does not run, served only because kubectl expects it (its default
   * `apply --prune` allowlist): always an empty list, never written. `instead` says what to use.
   */
  placeholder?: { instead: string };
}

/** `apphost.dev/v1`, or just `v1` for the core group. */
const apiVersions = new Map<string, string>();

/** `group/version` (or `version` for the core group); one string per apiVersion, shared by every caller. */
export function apiVersionOf(info: Pick<KindInfo, 'group' | 'version'>): string {
  if (info.group === '') return info.version;
  const key = `${info.group}/${info.version}`;
  let text = apiVersions.get(key);
  if (text === undefined) apiVersions.set(key, (text = key));
  return text;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE';

/**
 * A kind-specific check that runs after schema validation and defaulting, on create and update
 * (main resource only). Return causes with field paths; an empty list admits the object.
 */
export type Validator = (obj: KubeObject, op: AdmissionOperation, old?: KubeObject) => StatusCause[];

export interface AdmitOptions {
  /** Strict: unknown fields are errors. Otherwise (Ignore/Warn) they are pruned. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** A status-subresource write: kind validators (which check the spec) are skipped. */
  subresource?: 'status';
}

export interface AdmitResult {
  /** The object after defaulting and pruning (a new object; the input is untouched). */
  object: KubeObject;
  warnings: string[];
}

export interface Registry {
  /** Resolves a kind name, plural, singular, short name or `<plural>.<group>` (case-insensitive). */
  resolve(ref: string): KindInfo | undefined;
  forObject(apiVersion: string, kind: string): KindInfo | undefined;
  list(): KindInfo[];
  /**
   * Schema validation, defaulting and pruning from the CRD, then the kind's validators. Throws an
   * ApiError 'Invalid' with field paths when the object is not acceptable.
   */
  admit(info: KindInfo, obj: KubeObject, op: AdmissionOperation, old?: KubeObject, options?: AdmitOptions): AdmitResult;
  addValidator(kindKey: string, validator: Validator): void;
}
