import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadApphostFile } from '../../src/builder/load-apphost-file.ts';
import { loadManifests } from '../../src/host/manifests.ts';

const STARTER = fileURLToPath(new URL('../../examples/starter/', import.meta.url));

describe('the starter example', () => {
  it('apphost.ts and apphost.yaml produce the same objects', async () => {
    const fromYaml = await loadManifests(`${STARTER}apphost.yaml`);
    const fromTs = await loadApphostFile(`${STARTER}apphost.ts`);
    expect(fromTs.manifests).toEqual(fromYaml);
    expect(fromTs.manifests.map((o) => o.metadata.name)).toEqual(['api', 'frontend']);
  });

  it('loading the file twice runs it twice and starts nothing', async () => {
    const a = await loadApphostFile(`${STARTER}apphost.ts`);
    const b = await loadApphostFile(`${STARTER}apphost.ts`);
    expect(b.manifests).toEqual(a.manifests);
  });
});
