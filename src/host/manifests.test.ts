import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHostError } from './errors.ts';
import { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
import { loadManifests, parseManifests } from './manifests.ts';

const res = (name: string) => `apiVersion: apphost.dev/v1
kind: Resource
metadata:
  name: ${name}
spec:
  executable: {command: node}
`;

describe('loadManifests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifests-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads multi-document YAML and skips empty documents', async () => {
    await writeFile(join(dir, 'a.yaml'), `${res('api')}---\n---\n${res('web')}`);
    const objs = await loadManifests(join(dir, 'a.yaml'));
    expect(objs.map((o) => o.metadata.name)).toEqual(['api', 'web']);
    expect(objs[0]!.metadata.annotations?.[BASE_DIR_ANNOTATION]).toBe(dir);
  });

  it('reads a directory: yaml, yml and json sorted by file name, ignoring other files', async () => {
    await writeFile(join(dir, 'b.yml'), res('b'));
    await writeFile(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Resource', metadata: { name: 'a' } }));
    await writeFile(join(dir, 'c.yaml'), res('c'));
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
    const objs = await loadManifests(dir);
    expect(objs.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  it('expands kind: List', () => {
    const objs = parseManifests(
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'apphost.dev/v1', kind: 'Proxy', metadata: { name: 'p' } }] }),
      'list.json',
    );
    expect(objs.map((o) => o.kind)).toEqual(['Proxy']);
  });

  it('names the file and the line of a YAML syntax error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'kind: Resource\nmetadata: {name: x\n');
    const err = await loadManifests(file).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_PARSE')).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).not.toContain('\n');
  });

  it('names the file and document of a missing field', async () => {
    const file = join(dir, 'x.yaml');
    await writeFile(file, `${res('ok')}---\napiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {}\n`);
    const err = await loadManifests(file).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_INVALID')).toBe(true);
    const line = res('ok').split('\n').length + 1; // the first line after `---`
    expect((err as Error).message).toBe(`${file} (document 2, line ${line}): Resource is missing "metadata.name"`);
  });

  it('reports a missing path', async () => {
    const err = await loadManifests(join(dir, 'nope')).catch((e: unknown) => e);
    expect(isHostError(err, 'MANIFEST_NOT_FOUND')).toBe(true);
  });
});
