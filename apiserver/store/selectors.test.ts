import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.ts';
import { ApiError } from '../../src/api/status.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';

const obj = (labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name: 'n', namespace: 'ns', labels },
});

describe('label selectors', () => {
  it('parses URL-decoded kubectl forms', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=web')(obj({ 'app.kubernetes.io/name': 'web' }))).toBe(true);
    expect(parseLabelSelector('a=,b')(obj({ a: '', b: 'x' }))).toBe(true);
    expect(parseLabelSelector(' env in (prod,staging) , !legacy ')(obj({ env: 'prod' }))).toBe(true);
    expect(parseLabelSelector('env notin (prod)')(obj({}))).toBe(true);
    expect(parseLabelSelector('')(obj())).toBe(true);
  });

  it('rejects malformed selectors with BadRequest', () => {
    for (const bad of ['=x', 'a=b=c', 'a in b', '(', 'a,,b', 'a=' + 'x'.repeat(64), 'Bad Key=1']) {
      expect(() => parseLabelSelector(bad), bad).toThrow(ApiError);
    }
  });
});

describe('field selectors', () => {
  it('supports metadata.name and metadata.namespace', () => {
    expect(parseFieldSelector('metadata.name=n,metadata.namespace==ns')(obj())).toBe(true);
    expect(parseFieldSelector('metadata.name!=n')(obj())).toBe(false);
  });
  it('refuses other fields', () => {
    expect(() => parseFieldSelector('status.phase=Running')).toThrow(/field label not supported/);
  });
});
