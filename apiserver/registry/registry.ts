// The Registry: kinds loaded from CRDs, resolution by any name kubectl accepts, and admission
// (prune unknown fields, default, validate schema and metadata, then the kind's validators).
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError, errors, type StatusCause } from '../../src/api/status.ts';
import { compileSchema, runSchema, type CompiledSchema } from './compile-schema.ts';
import { crdErrors, kindInfoFromCrd } from './crd.ts';
import { RegistryError } from './errors.ts';
import { isPlainObject, type JsonObject } from './json.ts';
import { loadCrdFiles, type LoadedCrd } from './load-crds.ts';
import { metadataCauses } from './metadata.ts';
import { placeholderRefusal } from './placeholder-kinds.ts';
import { apiVersionOf, type AdmissionOperation, type AdmitOptions, type AdmitResult, type KindInfo, type Registry, type Validator } from '../../src/api/registry.ts';

export interface RegistryOptions {
  /** Folders (or files) of CRD YAML/JSON to load, in order. */
  crdDirs?: string[];
  /** CRD objects to add after the folders. */
  crds?: object[];
}

export interface CrdRegistry extends Registry {
  /**
   * Adds (or replaces, by `<plural>.<group>`) kinds from CRD objects. Throws RegistryError
   * CRD_INVALID naming the CRD and the first problems when one is not acceptable; nothing is added then.
   */
  addCrds(crds: Array<object | LoadedCrd>): KindInfo[];
  /**
   * Adds kinds of the core group ("", served under /api/v1) from CRD-shaped definitions that the
   * API server ships (apiserver/registry/core/): trusted, so only their schemas are compiled.
   */
  addCoreKinds(defs: LoadedCrd[]): KindInfo[];
  /**
   * Adds placeholder kinds (KindInfo.placeholder): resolvable only by their own plural, singular,
   * short names and qualified names, never shadowing a served kind's; admission refuses every write.
   */
  addPlaceholderKinds(infos: KindInfo[]): KindInfo[];
  /** loadCrdFiles(dir) then addCrds. */
  addCrdDir(dir: string): KindInfo[];
}

function isLoaded(x: object | LoadedCrd): x is LoadedCrd {
  return 'crd' in x && 'source' in x && isPlainObject((x as LoadedCrd).crd);
}

function describe(crd: JsonObject, source: string | undefined): string {
  const name = isPlainObject(crd.metadata) && typeof crd.metadata.name === 'string' ? crd.metadata.name : '<unnamed>';
  return source ? `CRD ${name} (${source})` : `CRD ${name}`;
}

class CrdRegistryImpl implements CrdRegistry {
  private readonly kinds = new Map<string, KindInfo>();
  private index = new Map<string, KindInfo>();
  private byObject = new Map<string, KindInfo>();
  private readonly validators = new Map<string, Validator[]>();
  private readonly compiled = new WeakMap<object, CompiledSchema>();

  addCrdDir(dir: string): KindInfo[] {
    return this.addCrds(loadCrdFiles(dir));
  }

  addCrds(items: Array<object | LoadedCrd>): KindInfo[] {
    const prepared: { info: KindInfo; compiled: CompiledSchema }[] = [];
    for (const item of items) {
      const { crd, source } = isLoaded(item) ? item : { crd: item as JsonObject, source: undefined };
      if (!isPlainObject(crd)) throw new RegistryError('CRD_INVALID', 'a CRD must be an object');
      const label = describe(crd, source);
      const problems = crdErrors(crd);
      if (problems.length > 0) {
        const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
        throw new RegistryError('CRD_INVALID', `${label} is invalid: ${problems.slice(0, 3).join('; ')}${more}`);
      }
      const info = kindInfoFromCrd(crd);
      prepared.push({ info, compiled: compileSchema(info.schema, label) });
    }
    for (const { info, compiled } of prepared) {
      this.compiled.set(info.schema, compiled);
      this.kinds.set(info.key, info);
    }
    this.reindex();
    return prepared.map((p) => p.info);
  }

  addCoreKinds(defs: LoadedCrd[]): KindInfo[] {
    const infos = defs.map(({ crd, source }) => {
      const info = kindInfoFromCrd(crd);
      this.compiled.set(info.schema, compileSchema(info.schema, describe(crd, source)));
      return info;
    });
    for (const info of infos) this.kinds.set(info.key, info);
    this.reindex();
    return infos;
  }

  addPlaceholderKinds(infos: KindInfo[]): KindInfo[] {
    for (const info of infos) this.kinds.set(info.key, info);
    this.reindex();
    return infos;
  }

  private reindex(): void {
    const index = new Map<string, KindInfo>();
    const byObject = new Map<string, KindInfo>();
    const add = (ref: string, info: KindInfo): void => {
      const k = ref.toLowerCase();
      if (!index.has(k)) index.set(k, info);
    };
    // Fully qualified names first, so they always win over another kind's short name; placeholder
    // kinds last, so core `Endpoints` never takes apphost's `endpoints`.
    const kinds = [...this.kinds.values()];
    const ordered = [...kinds.filter((k) => !k.placeholder), ...kinds.filter((k) => k.placeholder)];
    for (const info of ordered) {
      add(info.key, info);
      add(`${info.plural}.${info.version}.${info.group}`, info);
      add(`${info.kind}.${info.group}`, info);
      add(`${info.singular}.${info.group}`, info);
    }
    for (const info of ordered) {
      add(info.kind, info);
      add(info.plural, info);
      add(info.singular, info);
      for (const s of info.shortNames) add(s, info);
      byObject.set(`${apiVersionOf(info)}|${info.kind}`, info);
    }
    this.index = index;
    this.byObject = byObject;
  }

  resolve(ref: string): KindInfo | undefined {
    return this.index.get(ref.toLowerCase());
  }

  forObject(apiVersion: string, kind: string): KindInfo | undefined {
    return this.byObject.get(`${apiVersion}|${kind}`);
  }

  list(): KindInfo[] {
    return [...this.kinds.values()];
  }

  addValidator(kindKey: string, validator: Validator): void {
    const key = this.resolve(kindKey)?.key ?? kindKey.toLowerCase();
    this.validators.set(key, [...(this.validators.get(key) ?? []), validator]);
  }

  private compiledFor(info: KindInfo): CompiledSchema {
    let c = this.compiled.get(info.schema);
    if (!c) {
      c = compileSchema(info.schema, `kind ${info.key}`);
      this.compiled.set(info.schema, c);
    }
    return c;
  }

  admit(info: KindInfo, obj: KubeObject, op: AdmissionOperation, old?: KubeObject, options: AdmitOptions = {}): AdmitResult {
    if (!isPlainObject(obj)) throw errors.badRequest('the object must be a JSON object');
    if (info.placeholder) throw new ApiError('MethodNotAllowed', placeholderRefusal(info), { group: info.group, kind: info.plural });
    const result = runSchema(this.compiledFor(info), obj);
    const mode = options.fieldValidation;
    if (mode === 'Strict' && result.unknown.length > 0) {
      throw errors.badRequest(`strict decoding error: ${result.unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    const name = isPlainObject(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
    const causes: StatusCause[] = metadataCauses(result.object.metadata, info.namespaced);
    if (result.causes.length > 0) causes.push(...result.causes);
    if (causes.length > 0) throw errors.invalid(info.kind, info.group, name, causes);
    const object = result.object as KubeObject;
    if (options.subresource !== 'status') {
      const validators = this.validators.get(info.key);
      if (validators) {
        const found: StatusCause[] = [];
        for (const v of validators) found.push(...v(object, op, old));
        if (found.length > 0) throw errors.invalid(info.kind, info.group, name, found);
      }
    }
    const warnings = mode === 'Ignore' || result.unknown.length === 0 ? [] : result.unknown.map((f) => `unknown field "${f}"`);
    return { object, warnings };
  }
}

export function createRegistry(options: RegistryOptions = {}): CrdRegistry {
  const registry = new CrdRegistryImpl();
  for (const dir of options.crdDirs ?? []) registry.addCrdDir(dir);
  if (options.crds) registry.addCrds(options.crds);
  return registry;
}
