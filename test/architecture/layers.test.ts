// The layer rules of .dependency-cruiser.cjs (docs/DESIGN.md section 6), enforced by
// dependency-cruiser: the real tree has no violation, and a fixture tree with one wrong import per
// rule shows that each rule does catch what it names.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cruise, type ICruiseOptions, type IReporterOutput } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: Record<string, unknown> };

interface Violation { rule: { name: string }; from: string; to: string }

async function violations(baseDir: string, roots: string[], tsConfig?: string): Promise<Violation[]> {
  const options = { ...config.options, ruleSet: { forbidden: config.forbidden }, baseDir, validate: true, outputType: 'json' } as ICruiseOptions;
  if (tsConfig) (options as Record<string, unknown>).tsConfig = { fileName: tsConfig };
  else delete (options as Record<string, unknown>).tsConfig;
  const result: IReporterOutput = await cruise(roots, options);
  const output = typeof result.output === 'string' ? JSON.parse(result.output) : result.output;
  return (output.summary.violations as Violation[]).map((v) => ({ rule: { name: v.rule.name }, from: v.from, to: v.to }));
}

describe('layers', () => {
  it('the project has no import that breaks a layer rule', async () => {
    const found = await violations(ROOT, ['src', 'apiserver', 'controllers'], 'tsconfig.json');
    expect(found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  }, 60_000);

  const fixture = mkdtempSync(join(tmpdir(), 'apphost-layers-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const file = (path: string, body = 'export const x = 1;\n') => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), body);
  };

  it('each rule catches the import it forbids', async () => {
    // Targets, each importing nothing.
    for (const f of ['src/api/types.ts', 'src/errors.ts', 'src/platform/net/proxy.ts', 'src/runtime/manager.ts', 'apiserver/store/store.ts',
      'controllers/health/controller.ts', 'src/host/start.ts', 'src/cli/main.ts', 'test/support/fake.ts']) file(f);
    // One wrong import per rule.
    file('src/api/bad.ts', "import '../runtime/manager.ts';\n");
    file('src/platform/bad.ts', "import '../../controllers/health/controller.ts';\n");
    file('apiserver/bad.ts', "import '../src/runtime/manager.ts';\n");
    file('src/runtime/bad.ts', "import '../../apiserver/store/store.ts';\n");
    file('controllers/bad.ts', "import '../apiserver/store/store.ts';\n");
    file('src/host/bad.ts', "import '../cli/main.ts';\n");
    file('src/cli/bad.ts', "import '../../controllers/health/controller.ts';\n");
    file('src/cli/tests-bad.ts', "import '../../test/support/fake.ts';\n");
    file('src/discovery/a.ts', "import './b.ts';\nexport const a = 1;\n");
    file('src/discovery/b.ts', "import './a.ts';\nexport const b = 1;\n");
    const found = await violations(fixture, ['src', 'apiserver', 'controllers']);
    const rules = new Set(found.map((v) => v.rule.name));
    expect([...rules].sort()).toEqual([
      'L0-contracts-import-nothing-above',
      'L1-adapters-use-contracts-only',
      'L2-apiserver-uses-contracts-only',
      'L2-runtime-below-controllers',
      'L3-controllers-never-apiserver',
      'L4-host-below-front-ends',
      'no-circular',
      'only-host-wires-apiserver-and-controllers',
      'production-never-imports-tests',
    ]);
    // And nothing else: the fixture's legitimate files break no rule.
    expect(found.every((v) => v.from.includes('bad.ts') || v.from.startsWith('src/discovery/'))).toBe(true);
  }, 60_000);
});
