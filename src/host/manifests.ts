// Loads Kubernetes-style manifests: a YAML/JSON file (multi-document YAML allowed, `kind: List`
// expanded) or a directory (every .yaml/.yml/.json in it, sorted by name, not recursive).
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/types.ts';
import { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
import { formatBytes, MAX_REQUEST_BYTES } from '../api/limits.ts';
import { HostError } from './errors.ts';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export function isManifestFile(path: string): boolean {
  return (MANIFEST_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/** All manifests under `pathToFileOrDir`. Throws a HostError with one line naming the file and the problem. */
export async function loadManifests(pathToFileOrDir: string): Promise<KubeObject[]> {
  let info;
  try {
    info = await stat(pathToFileOrDir);
  } catch {
    throw new HostError('MANIFEST_NOT_FOUND', `${pathToFileOrDir}: no such file or directory`);
  }
  if (!info.isDirectory()) return checkUnique(await loadManifestFile(pathToFileOrDir));
  const names = (await readdir(pathToFileOrDir)).filter(isManifestFile).sort();
  const out: KubeObject[] = [];
  for (const name of names) {
    const file = join(pathToFileOrDir, name);
    // An app folder holds other JSON too (package.json, tsconfig.json): in a directory, JSON that
    // is not an object with apiVersion or kind is not a manifest and is skipped.
    if (extname(name).toLowerCase() === '.json' && !(await looksLikeManifestJson(file))) continue;
    out.push(...(await loadManifestFile(file)));
  }
  return checkUnique(out);
}

/**
 * Refuses two definitions of one object (same group, kind, namespace and name): applied in turn,
 * the last would silently win. The error names both places.
 */
export function checkUnique(objects: KubeObject[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const obj of objects) {
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const key = [group, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name].join('\0');
    const first = seen.get(key);
    if (first) {
      const ns = obj.metadata.namespace ? ` in namespace "${obj.metadata.namespace}"` : '';
      throw new HostError(
        'MANIFEST_DUPLICATE',
        `${obj.kind} "${obj.metadata.name}"${ns} is defined twice: in ${manifestSource(first) ?? 'the input'} and in ${manifestSource(obj) ?? 'the input'}; rename one or remove it`,
      );
    }
    seen.set(key, obj);
  }
  return objects;
}

async function looksLikeManifestJson(file: string): Promise<boolean> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isRecord(value) && ('apiVersion' in value || 'kind' in value);
  } catch {
    return true; // let the loader report the syntax error
  }
}

export async function loadManifestFile(file: string): Promise<KubeObject[]> {
  // Checked before reading: parsing a huge YAML file alone takes hundreds of MB.
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > MAX_REQUEST_BYTES) {
    throw new HostError(
      'MANIFEST_TOO_LARGE',
      `${file}: ${formatBytes(size)} is over the ${formatBytes(MAX_REQUEST_BYTES)} limit on one manifest file (kube-apiserver refuses requests over 3 MiB too): split it into several files`,
    );
  }
  const text = await readFile(file, 'utf8').catch(() => {
    throw new HostError('MANIFEST_NOT_FOUND', `${file}: cannot be read`);
  });
  return parseManifests(text, file).map((obj) => withSource(withBaseDir(obj, dirname(resolve(file))), manifestSource(obj)));
}

// Where each loaded object came from (`apphost.yaml (document 2)`), for error messages, without
// adding anything to the object itself.
const sources = new WeakMap<object, string>();

function withSource(obj: KubeObject, source: string | undefined): KubeObject {
  if (source) sources.set(obj, source);
  return obj;
}

/** `file` or `file (document N)` of an object these loaders returned; undefined for any other. */
export function manifestSource(obj: KubeObject): string | undefined {
  return sources.get(obj);
}

/**
 * BASE_DIR_ANNOTATION names the folder a Resource's manifest came from: a relative `workingDir`
 * resolves against it, as Docker Compose resolves paths against its file.
 */

function withBaseDir(obj: KubeObject, dir: string): KubeObject {
  if (obj.kind !== 'Resource' || obj.metadata.annotations?.[BASE_DIR_ANNOTATION]) return obj;
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [BASE_DIR_ANNOTATION]: dir } } };
}

/** Parses manifest text; `source` names the file in error messages. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: false, lineCounter });
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, i) => {
    const start = doc.contents?.range?.[0];
    const line = start !== undefined && docs.length > 1 ? `, line ${lineCounter.linePos(start).line}` : '';
    const where = docs.length > 1 ? `${source} (document ${i + 1}${line})` : source;
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0] ? ` at line ${err.linePos[0].line}` : '';
      throw new HostError('MANIFEST_PARSE', `${where}: invalid YAML${line}: ${firstLine(err.message)}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const isList = isRecord(value) && value.kind === 'List';
    expandList(value, where).forEach((obj, j) => {
      const at = isList ? `${where}, items[${j}]` : where;
      out.push(withSource(checkObject(obj, at), at));
    });
  });
  return out;
}

function expandList(value: unknown, where: string): unknown[] {
  if (isRecord(value) && value.kind === 'List') {
    if (!Array.isArray(value.items)) throw invalid(where, 'a List needs an "items" array');
    return value.items;
  }
  return [value];
}

function checkObject(value: unknown, where: string): KubeObject {
  if (!isRecord(value)) throw invalid(where, 'expected an object with apiVersion, kind and metadata');
  if (typeof value.apiVersion !== 'string' || !value.apiVersion) throw invalid(where, 'missing "apiVersion"');
  if (typeof value.kind !== 'string' || !value.kind) throw invalid(where, 'missing "kind"');
  const meta = value.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string' || !meta.name) {
    throw invalid(where, `${value.kind} is missing "metadata.name"`);
  }
  return value as KubeObject;
}

function invalid(where: string, problem: string): HostError {
  return new HostError('MANIFEST_INVALID', `${where}: ${problem}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

