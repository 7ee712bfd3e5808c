import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileParameterSource } from './file-parameter-source.ts';
import { isSecretsError } from './errors.ts';

describe('file parameter source (.apphost/secrets.json)', () => {
  const dirs: string[] = [];
  const newFile = () => {
    const d = mkdtempSync(join(tmpdir(), 'apphost-secrets-'));
    dirs.push(d);
    return join(d, '.apphost', 'secrets.json');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('generates once, keeps it in a 0600 file in a 0700 folder, and a new source reads it back', () => {
    const file = newFile();
    const first = createFileParameterSource({ file, env: {} }).value({ name: 'cache-password', secret: true, generate: { length: 30 } });
    expect(first).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ parameters: { 'cache-password': first } });
    const again = createFileParameterSource({ file, env: {} }).value({ name: 'cache-password', secret: true, generate: {} });
    expect(again).toBe(first);
  });

  it('Parameters__<name> wins over the file; a default value is used last; nothing at all is undefined', () => {
    const file = newFile();
    const source = createFileParameterSource({ file, env: { 'Parameters__api-key': 'from-env' } });
    expect(source.value({ name: 'api-key', secret: true, generate: {} })).toBe('from-env');
    expect(source.value({ name: 'region', value: 'eu' })).toBe('eu');
    expect(source.value({ name: 'missing', secret: true })).toBeUndefined();
  });

  it('a broken secrets.json is a clear error, not a silent new password', () => {
    const file = newFile();
    createFileParameterSource({ file, env: {} }).value({ name: 'x', generate: {} });
    writeFileSync(file, '{not json');
    let err: unknown;
    try {
      createFileParameterSource({ file, env: {} }).value({ name: 'x', generate: {} });
    } catch (e) {
      err = e;
    }
    expect(isSecretsError(err, 'SECRETS_FILE_INVALID')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('{not json');
  });
});
