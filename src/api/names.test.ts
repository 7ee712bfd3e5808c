import { describe, expect, it } from 'vitest';
import {
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  endpointNameErrors,
  envVarNameErrors,
  isDns1123Label,
  isDns1123Subdomain,
  isEndpointName,
  labelValueErrors,
  qualifiedNameErrors,
} from './names.ts';

describe('DNS-1123 names', () => {
  it('accepts labels and rejects everything else', () => {
    for (const ok of ['a', 'api', 'my-api', '123-abc', 'a'.repeat(63)]) expect(isDns1123Label(ok), ok).toBe(true);
    for (const bad of ['', 'A', 'my_api', '-a', 'a-', 'a.b', 'a'.repeat(64)]) expect(isDns1123Label(bad), bad).toBe(false);
  });
  it('explains label errors like Kubernetes', () => {
    expect(dns1123LabelErrors('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(dns1123LabelErrors('My')[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
  });
  it('accepts subdomains up to 253 chars', () => {
    expect(isDns1123Subdomain('api.example.com')).toBe(true);
    expect(isDns1123Subdomain('a.'.repeat(126) + 'a')).toBe(true); // 253
    expect(isDns1123Subdomain('a.'.repeat(126) + 'ab')).toBe(false); // 254
    expect(isDns1123Subdomain('a..b')).toBe(false);
    expect(dns1123SubdomainErrors('Foo_')[0]).toMatch(/^a lowercase RFC 1123 subdomain/);
  });
});

describe('qualified names and label values', () => {
  it('accepts prefixed and plain keys', () => {
    expect(qualifiedNameErrors('app')).toEqual([]);
    expect(qualifiedNameErrors('app.kubernetes.io/name')).toEqual([]);
    expect(qualifiedNameErrors('My_Key.v1')).toEqual([]);
  });
  it('rejects bad keys', () => {
    expect(qualifiedNameErrors('a/b/c')[0]).toMatch(/^a qualified name must consist/);
    expect(qualifiedNameErrors('/x')).toContain('prefix part must be non-empty');
    expect(qualifiedNameErrors('x/')).toContain('name part must be non-empty');
    expect(qualifiedNameErrors('Bad_Prefix/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(qualifiedNameErrors('x'.repeat(64))).toContain('name part must be no more than 63 characters');
    expect(qualifiedNameErrors('bad key!')[0]).toMatch(/^name part must consist/);
  });
  it('label values may be empty, not too long, no odd characters', () => {
    expect(labelValueErrors('')).toEqual([]);
    expect(labelValueErrors('v1.2_3-x')).toEqual([]);
    expect(labelValueErrors('x'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(labelValueErrors('-x')[0]).toMatch(/^a valid label must be an empty string/);
  });
});

describe('endpoint names', () => {
  it('follows DESIGN.md: 1-64, letters/digits/-, starts with a letter, no --, no trailing -', () => {
    for (const ok of ['http', 'HTTP', 'admin-2', 'a', 'a'.repeat(64)]) expect(isEndpointName(ok), ok).toBe(true);
    expect(endpointNameErrors('')).toEqual(['must be non-empty']);
    expect(endpointNameErrors('a'.repeat(65))).toEqual(['must be no more than 64 characters']);
    expect(endpointNameErrors('1http')).toEqual(["must consist of letters, digits and '-' and start with a letter"]);
    expect(endpointNameErrors('my_ep')).toEqual(["must consist of letters, digits and '-' and start with a letter"]);
    expect(endpointNameErrors('a--b')).toEqual(["must not contain '--'"]);
    expect(endpointNameErrors('ab-')).toEqual(["must not end with '-'"]);
  });
});

describe('env var names', () => {
  it('accepts what Kubernetes accepts', () => {
    expect(envVarNameErrors('PORT')).toEqual([]);
    expect(envVarNameErrors('my.env-name')).toEqual([]);
    expect(envVarNameErrors('1PORT')).toHaveLength(1);
    expect(envVarNameErrors('A B')).toHaveLength(1);
  });
});
