// The few protobuf bodies kubectl sends for built-in kinds we store (`kubectl create namespace`
// posts a Namespace as application/vnd.kubernetes.protobuf): the `k8s\0` envelope
// (runtime.Unknown: typeMeta, raw), then the object's ObjectMeta and spec. Decoded with protobufjs
// to the JSON object the rest of the server handles; answers stay JSON, which client-go reads too.
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { ApiError } from '../../src/api/status.ts';

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// The messages of k8s.io/apimachinery (runtime, meta/v1) and k8s.io/api core/v1 generated.proto,
// with only the fields a create may set and we keep (unknown fields are skipped by the decoder).
const PROTO = `
syntax = "proto2";
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated string finalizers = 14;
}
message NamespaceSpec { repeated string finalizers = 1; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; }
`;

/** apiVersion/kind of the objects we decode -> their message. */
const MESSAGES: Record<string, string> = { 'v1/Namespace': 'Namespace' };

// protobufjs is loaded on the first protobuf body (about 100 ms of start-up otherwise).
let types: { unknown: protobuf.Type; objects: Map<string, protobuf.Type> } | undefined;
function messageTypes(): NonNullable<typeof types> {
  if (!types) {
    const { root } = (createRequire(import.meta.url)('protobufjs') as typeof protobuf).parse(PROTO);
    types = { unknown: root.lookupType('Unknown'), objects: new Map(Object.entries(MESSAGES).map(([k, m]) => [k, root.lookupType(m)])) };
  }
  return types;
}

function bad(why: string): ApiError {
  return new ApiError('BadRequest', `the protobuf request body is malformed: ${why}`);
}

function decode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  try {
    return type.toObject(type.decode(bytes), { defaults: false, bytes: Buffer }) as Record<string, unknown>;
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
}

/** A protobuf-encoded object of a kind we decode, as its JSON form; 415 for any other kind. */
export function decodeProtobufObject(buf: Buffer): Record<string, unknown> {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('no k8s envelope');
  const { unknown: envelope, objects } = messageTypes();
  const unknown = decode(envelope, buf.subarray(MAGIC.length)) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Buffer };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const type = objects.get(`${apiVersion}/${kind}`);
  if (!type) {
    throw new ApiError('UnsupportedMediaType', `protobuf bodies are accepted for ${Object.keys(MESSAGES).join(', ')} only (got ${apiVersion.slice(0, 100)} ${kind.slice(0, 100)}): send application/json`);
  }
  const object = decode(type, unknown.raw ?? Buffer.alloc(0));
  return { apiVersion, kind, metadata: nonEmpty(object['metadata']), spec: nonEmpty(object['spec']) };
}

/** Go's marshallers write empty strings (and an empty spec) out: such fields are left out, as JSON omits them. */
function nonEmpty(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    if (v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) continue;
    out[k] = v;
  }
  return out;
}

