import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isBuilderError } from '../../src/builder/errors.ts';
import { loadApphostFile } from '../../src/builder/load-apphost-file.ts';
import { activeCapture } from '../../src/builder/capture.ts';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'apphost-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function failure(p: string): Promise<Error> {
  const err = await loadApphostFile(p).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error('expected a failure');
  return err;
}

describe('loadApphostFile', () => {
  it('takes the manifests from run(), resolving paths against the file, without starting anything', async () => {
    const p = file('app.ts', `import { createBuilder } from ${JSON.stringify(INDEX)};\nconst b = createBuilder({ name: 'shop' });\nb.addNodeApp('web', './web', 'server.js');\nawait b.build().run();\n`);
    const loaded = await loadApphostFile(p);
    expect(loaded.name).toBe('shop');
    expect(loaded.manifests).toHaveLength(1);
    expect(loaded.manifests[0].metadata.annotations?.['apphost.dev/base-dir']).toBe(dir);
    expect(activeCapture()).toBeUndefined();
    // The ES-module copy used outside "type": "module" packages is gone.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('accepts a default-exported builder', async () => {
    const p = file('default.ts', `import { createBuilder } from ${JSON.stringify(INDEX)};\nconst b = createBuilder();\nb.addContainer('cache', { image: 'redis' });\nexport default b;\n`);
    expect((await loadApphostFile(p)).manifests.map((o) => o.metadata.name)).toEqual(['cache']);
  });

  it('names the file in one line when it cannot be loaded, throws, or never runs', async () => {
    const syntax = await failure(file('syntax.ts', 'const x = (;\n'));
    expect(isBuilderError(syntax, 'BUILDER_LOAD_FAILED')).toBe(true);
    expect(syntax.message.startsWith(`${join(dir, 'syntax.ts')}: `)).toBe(true);
    expect(syntax.message).not.toContain('.apphost-');
    expect(syntax.message).not.toContain('\n');

    const throws = await failure(file('throws.ts', 'throw new TypeError("boom");\n'));
    expect(throws.message).toBe(`${join(dir, 'throws.ts')}: boom`);

    const norun = await failure(file('norun.ts', 'export const x = 1;\n'));
    expect(isBuilderError(norun, 'BUILDER_NO_RUN')).toBe(true);

    const bad = await failure(file('bad.ts', `import { createBuilder } from ${JSON.stringify(INDEX)};\nconst b = createBuilder();\nconst a = b.addNodeApp('a', '.', 'a.js');\nb.addNodeApp('b', '.', 'b.js').withReference((a as any).getEndpoint('http'));\nawait b.build().run();\n`));
    expect(bad.message).toBe(`${join(dir, 'bad.ts')}: resource "a" has no endpoint "http" (endpoints: none)`);
    expect(activeCapture()).toBeUndefined();
  });
});
