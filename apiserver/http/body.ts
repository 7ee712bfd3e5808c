// Reading and decoding request bodies: bounded size, JSON or YAML, stable errors.
import type { IncomingMessage } from 'node:http';
import YAML from 'yaml';
import { MAX_REQUEST_BYTES } from '../../src/api/limits.ts';
import { ApiError } from '../../src/api/status.ts';
import { decodeProtobufObject, PROTOBUF_TYPE } from './protobuf.ts';

export const DEFAULT_MAX_BODY = MAX_REQUEST_BYTES;

/** Deeper bodies are refused: the store, admission and patching recurse over objects. */
export const MAX_DEPTH = 512;

/** Nesting depth of a parsed JSON value, without recursion; stops counting past `limit`. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}

function checkDepth<T>(value: T): T {
  if (depthExceeds(value, MAX_DEPTH)) {
    throw new ApiError('BadRequest', `the request body is nested more than ${MAX_DEPTH} levels deep`);
  }
  return value;
}

export function tooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`);
}

/** Reads the whole body; rejects with 413 as soon as it exceeds `limit` (and stops reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new ApiError('BadRequest', `error reading the request body: ${err.message}`));
      }
    });
  });
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string {
  if (!header) return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** Body formats accepted for POST/PUT; anything else is 415. */
export function objectBodyFormat(contentType: string | undefined): BodyFormat {
  const type = mediaType(contentType);
  if (type === '' || type === 'application/json' || type === '*/*') return 'json';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return 'yaml';
  if (type === PROTOBUF_TYPE) return 'protobuf';
  throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_TYPE} (Namespace only)`);
}

export function decodeBody(buf: Buffer, format: BodyFormat): unknown {
  const text = buf.toString('utf8');
  if (!/\S/.test(text)) throw new ApiError('BadRequest', 'the request body is empty');
  if (format === 'json' || /^\s*[[{]/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (format === 'json') throw new ApiError('BadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
    }
    if (value !== undefined) return checkDepth(value);
  }
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { uniqueKeys: true });
  } catch (err) {
    throw new ApiError('BadRequest', `the request body is not valid YAML: ${(err as Error).message}`);
  }
  if (doc.errors.length > 0) {
    throw new ApiError('BadRequest', `the request body is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ApiError('BadRequest', `the request body is not valid YAML: ${(err as Error).message}`);
  }
  return checkDepth(value);
}

/** A body that must be a JSON object (not an array, string, null ...). */
export function decodeObject(buf: Buffer, format: BodyFormat): Record<string, unknown> {
  if (format === 'protobuf') return decodeProtobufObject(buf);
  const value = decodeBody(buf, format);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('BadRequest', 'the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
