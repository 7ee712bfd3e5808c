import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/status.ts';
import { decodeProtobufObject } from './protobuf.ts';

// Wire encoding, as k8s.io/apimachinery's generated marshallers write it (empty strings included).
const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
const field = (n: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([...varint((n << 3) | 2), ...varint(bytes.length)]), bytes]);
const str = (n: number, s: string): Buffer => field(n, Buffer.from(s));
const entry = (n: number, k: string, v: string): Buffer => field(n, Buffer.concat([str(1, k), str(2, v)]));

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([str(1, apiVersion), str(2, kind)])), field(2, raw), str(3, ''), str(4, 'application/vnd.kubernetes.protobuf')]);
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.reason;
    throw err;
  }
  return 'none';
}

describe('protobuf request bodies', () => {
  it('decodes the Namespace `kubectl create namespace` sends: name, labels, annotations, spec.finalizers; empty strings left out', () => {
    const meta = Buffer.concat([str(1, 'dev'), str(2, ''), str(3, ''), entry(11, 'team', 'a'), entry(11, 'tier', 'b'), entry(12, 'note', 'x'.repeat(300))]);
    const raw = Buffer.concat([field(1, meta), field(2, str(1, 'kubernetes')), field(3, Buffer.alloc(0))]);
    expect(decodeProtobufObject(envelope('v1', 'Namespace', raw))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'dev', labels: { team: 'a', tier: 'b' }, annotations: { note: 'x'.repeat(300) } },
      spec: { finalizers: ['kubernetes'] },
    });
  });

  it('answers 415 for kinds it does not decode and 400 for a broken body', () => {
    expect(reasonOf(() => decodeProtobufObject(envelope('v1', 'Pod', field(1, str(1, 'p')))))).toBe('UnsupportedMediaType');
    expect(reasonOf(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')))).toBe('BadRequest');
    const whole = envelope('v1', 'Namespace', field(1, str(1, 'dev')));
    for (let cut = 4; cut < whole.length; cut++) {
      expect(['BadRequest', 'UnsupportedMediaType', 'none']).toContain(reasonOf(() => decodeProtobufObject(whole.subarray(0, cut))));
    }
    expect(reasonOf(() => decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0f])])))).toBe('BadRequest');
  });
});
