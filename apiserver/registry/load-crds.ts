// Reads CustomResourceDefinitions from a folder: every *.yaml, *.yml and *.json file, multi-document
// YAML allowed, `List` documents unwrapped, empty documents skipped. Synchronous: it runs once at start.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RegistryError } from './errors.ts';
import { cloneJson, isPlainObject, type JsonObject } from './json.ts';

const CRD_FILE = /\.(ya?ml|json)$/i;

/** A CRD object together with the file it came from (for error messages). */
export interface LoadedCrd {
  crd: JsonObject;
  source: string;
}

// Parsing YAML is slow (hundreds of ms for the built-in CRDs on a busy 2-core box) and every test
// builds registries: parsed files are remembered by path, size and mtime, and handed out as copies.
const parsed = new Map<string, { stamp: string; crds: LoadedCrd[] }>();

export function loadCrdFile(file: string): LoadedCrd[] {
  let text: string;
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}`;
    const hit = parsed.get(file);
    if (hit && hit.stamp === stamp) return hit.crds.map((c) => ({ crd: cloneJson(c.crd), source: c.source }));
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RegistryError('CRD_READ_FAILED', `cannot read CRD file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const crds = parseCrdText(text, file);
  parsed.set(file, { stamp, crds: crds.map((c) => ({ crd: cloneJson(c.crd), source: c.source })) });
  return crds;
}

function parseCrdText(text: string, file: string): LoadedCrd[] {
  const out: LoadedCrd[] = [];
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      throw new RegistryError('CRD_INVALID', `${file}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isPlainObject(value)) throw new RegistryError('CRD_INVALID', `${file}: a document is not an object`);
    if (value.kind === 'List' && Array.isArray(value.items)) {
      for (const item of value.items) {
        if (!isPlainObject(item)) throw new RegistryError('CRD_INVALID', `${file}: a List item is not an object`);
        out.push({ crd: item, source: file });
      }
    } else {
      out.push({ crd: value, source: file });
    }
  }
  return out;
}

/** All CRDs of the files in `dir` (not recursive), in file-name order. */
export function loadCrdFiles(dir: string): LoadedCrd[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return loadCrdFile(dir);
    names = readdirSync(dir).filter((n) => CRD_FILE.test(n)).sort();
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError('CRD_READ_FAILED', `cannot read CRD folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return names.flatMap((n) => loadCrdFile(join(dir, n)));
}
