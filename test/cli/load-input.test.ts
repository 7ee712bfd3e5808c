import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isCliError } from '../../src/cli/errors.ts';
import { defaultInput, loadInput } from '../../src/cli/load-input.ts';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'apphostctl-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('-f FILE|DIR', () => {
  it('reads YAML files and folders, and a folder holding only an apphost.ts', async () => {
    const yamlDir = join(root, 'yaml');
    const tsDir = join(root, 'ts');
    for (const d of [yamlDir, tsDir]) mkdirSync(d);
    writeFileSync(join(yamlDir, 'a.yaml'), 'apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: a}\nspec: {executable: {command: node}}\n');
    writeFileSync(join(tsDir, 'apphost.ts'), `import { createBuilder } from ${JSON.stringify(INDEX)};\nconst b = createBuilder({ name: 'n' });\nb.addNodeApp('t', '.', 't.js');\nawait b.build().run();\n`);
    expect((await loadInput(yamlDir)).objects.map((o) => o.metadata.name)).toEqual(['a']);
    expect((await loadInput(join(yamlDir, 'a.yaml'))).objects.map((o) => o.metadata.name)).toEqual(['a']);
    const fromTs = await loadInput(tsDir);
    expect(fromTs.objects.map((o) => o.metadata.name)).toEqual(['t']);
    expect(fromTs.name).toBe('n');
    expect(defaultInput(tsDir)).toBe(join(tsDir, 'apphost.ts'));
    expect(defaultInput(root)).toBeUndefined();
    const missing = await loadInput(join(root, 'nope.yaml')).catch((e: unknown) => e);
    expect(isCliError(missing, 'BAD_INPUT')).toBe(true);
  });
});
