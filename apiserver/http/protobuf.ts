// The few protobuf bodies kubectl sends for built-in kinds we store (`kubectl create namespace`
// posts a Namespace as application/vnd.kubernetes.protobuf): the `k8s\0` envelope
// (runtime.Unknown: typeMeta, raw), then the object's ObjectMeta and spec. Decoded to the JSON
// object the rest of the server handles; answers stay JSON, which client-go reads too.
import { ApiError } from '../../src/api/status.ts';

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { n: number; bytes?: Buffer; value?: bigint };

function bad(why: string): ApiError {
  return new ApiError('BadRequest', `the protobuf request body is malformed: ${why}`);
}

function varint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; i++, shift += 7n) {
    const b = buf[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
  }
  throw bad('truncated varint');
}

/** The fields of one message, in order (length-delimited ones as bytes, varints as numbers). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const n = Number(tag >> 3n);
    switch (Number(tag & 7n)) {
      case 0: {
        const [value, after] = varint(buf, at);
        out.push({ n, value });
        at = after;
        break;
      }
      case 1:
        at += 8;
        break;
      case 2: {
        const [len, after] = varint(buf, at);
        const end = after + Number(len);
        if (end > buf.length) throw bad('a field runs past the end');
        out.push({ n, bytes: buf.subarray(after, end) });
        at = end;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw bad(`unsupported wire type ${String(tag & 7n)}`);
    }
  }
  if (at > buf.length) throw bad('truncated field');
  return out;
}

const text = (f: Field): string => f.bytes?.toString('utf8') ?? '';

function stringMap(entries: Field[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.bytes ?? Buffer.alloc(0));
    map[text(kv.find((f) => f.n === 1) ?? { n: 1 })] = text(kv.find((f) => f.n === 2) ?? { n: 2 });
  }
  return map;
}

/** ObjectMeta: name 1, generateName 2, namespace 3, labels 11, annotations 12, finalizers 14. */
function objectMeta(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  const meta: Record<string, unknown> = {};
  const one = (n: number, key: string) => {
    const f = fs.find((x) => x.n === n);
    if (f && text(f) !== '') meta[key] = text(f);
  };
  one(1, 'name');
  one(2, 'generateName');
  one(3, 'namespace');
  const labels = fs.filter((f) => f.n === 11);
  if (labels.length > 0) meta['labels'] = stringMap(labels);
  const annotations = fs.filter((f) => f.n === 12);
  if (annotations.length > 0) meta['annotations'] = stringMap(annotations);
  const finalizers = fs.filter((f) => f.n === 14).map(text);
  if (finalizers.length > 0) meta['finalizers'] = finalizers;
  return meta;
}

/** Kind -> its message's spec decoder (field 2); field 1 is always ObjectMeta. */
const SPECS: Record<string, (buf: Buffer) => Record<string, unknown>> = {
  // NamespaceSpec: finalizers 1.
  'v1/Namespace': (buf) => {
    const finalizers = fields(buf).filter((f) => f.n === 1).map(text);
    return finalizers.length > 0 ? { finalizers } : {};
  },
};

/** A protobuf-encoded object of a kind we decode, as its JSON form; 415 for any other kind. */
export function decodeProtobufObject(buf: Buffer): Record<string, unknown> {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('no k8s envelope');
  const unknown = fields(buf.subarray(MAGIC.length));
  const typeMeta = fields(unknown.find((f) => f.n === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = text(typeMeta.find((f) => f.n === 1) ?? { n: 1 });
  const kind = text(typeMeta.find((f) => f.n === 2) ?? { n: 2 });
  const spec = SPECS[`${apiVersion}/${kind}`];
  if (!spec) {
    throw new ApiError('UnsupportedMediaType', `protobuf bodies are accepted for ${Object.keys(SPECS).join(', ')} only (got ${apiVersion.slice(0, 100)} ${kind.slice(0, 100)}): send application/json`);
  }
  const raw = fields(unknown.find((f) => f.n === 2)?.bytes ?? Buffer.alloc(0));
  const metadata = objectMeta(raw.find((f) => f.n === 1)?.bytes ?? Buffer.alloc(0));
  return { apiVersion, kind, metadata, spec: spec(raw.find((f) => f.n === 2)?.bytes ?? Buffer.alloc(0)) };
}
