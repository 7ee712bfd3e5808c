// A user's mistakes in manifests, through the real CLI (`apphostctl up` and `apply` against a real
// `apphostctl up`): a typo'd field is refused with its path (fieldValidation=Strict, as `kubectl
// apply`), two definitions of one object are refused naming both places, an empty manifest warns.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliApp, type CliApp } from '../support/cli-app.ts';
import { runCli } from './support.ts';

const resource = (name: string, extra = '') => `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: ${name}}
spec:
  executable: {command: sleep, args: ['600']}
${extra}`;
const TYPO = resource('typo', '  replica: 2\n');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'apphost-mistakes-'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('apphostctl up -f with a mistake', { timeout: 60_000 }, () => {
  it('a typo (spec.replica) fails with the field path and exit 1; nothing keeps running', async () => {
    const dir = folder({ 'apphost.yaml': TYPO });
    dirs.push(dir);
    const r = await runCli(['up', '--plain', '-f', 'apphost.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${join(dir, 'apphost.yaml')}: Resource "typo": strict decoding error: unknown field "spec.replica"\n`);
    expect(existsSync(join(dir, '.apphost', 'kubeconfig'))).toBe(false);
    expect(existsSync(join(dir, '.apphost', 'apphost.pid'))).toBe(false);
  });

  it('two resources with the same name in one file: refused, naming both documents', async () => {
    const dir = folder({ 'apphost.yaml': [resource('api'), resource('web'), resource('api', '  replicas: 2\n')].join('---\n') });
    dirs.push(dir);
    const r = await runCli(['up', '--plain', '-f', 'apphost.yaml'], dir);
    expect(r.code).toBe(1);
    const file = join(dir, 'apphost.yaml');
    expect(r.stderr).toBe(
      `error: Resource "api" is defined twice: in ${file} (document 1, line 1) and in ${file} (document 3, line 13); rename one or remove it\n`,
    );
  });

  it('the same name in two files of a folder: refused, naming both files', async () => {
    const dir = folder({ 'a.yaml': resource('api'), 'b.yaml': resource('api') });
    dirs.push(dir);
    const r = await runCli(['up', '--plain', '-f', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: Resource "api" is defined twice: in ${join(dir, 'a.yaml')} and in ${join(dir, 'b.yaml')}; rename one or remove it\n`);
  });
});

// 5 MiB of small Resources: over the 3 MiB limit of one request / one manifest file.
function bigManifest(): string {
  const docs: string[] = [];
  let size = 0;
  for (let i = 0; size < 5 * 1024 * 1024; i++) {
    const doc = resource(`r${i}`, `  env: [{name: PADDING, value: "${'p'.repeat(2000)}"}]\n`);
    docs.push(doc);
    size += doc.length + 4;
  }
  return docs.join('---\n');
}
const BIG_FILE_ERROR = (file: string) =>
  `error: ${file}: 5.0 MiB is over the 3.0 MiB limit on one manifest file (kube-apiserver refuses requests over 3 MiB too): split it into several files\n`;

describe('size limits on every way in', { timeout: 60_000 }, () => {
  it('up -f of a 5 MiB manifest is refused at once, before it is parsed', async () => {
    const dir = folder({ 'big.yaml': bigManifest() });
    dirs.push(dir);
    const t0 = Date.now();
    const r = await runCli(['up', '--plain', '-f', 'big.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(BIG_FILE_ERROR(join(dir, 'big.yaml')));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(join(dir, '.apphost', 'kubeconfig'))).toBe(false);
  });

  it('an apphost file that builds a 4 MiB object is refused as the API server would refuse it', async () => {
    const dir = folder({
      'apphost.ts': `import { createBuilder } from 'apphost';
const builder = createBuilder();
builder.addExecutable('big', 'sleep', '.', ['600']).withEnvironment('BIG', 'x'.repeat(4 * 1024 * 1024));
await builder.build().run();
`,
    });
    dirs.push(dir);
    const r = await runCli(['up', '--plain', '-f', 'apphost.ts'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: Resource "big": 4.0 MiB as JSON is over the 3.0 MiB limit on one object (kube-apiserver's request limit)\n`);
    expect(existsSync(join(dir, '.apphost', 'kubeconfig'))).toBe(false);
  });
});

describe('apphostctl apply against a running apphost', { timeout: 90_000 }, () => {
  let app: CliApp;
  const cli = (...args: string[]) => runCli(args, app.dir);
  beforeAll(async () => {
    app = await startCliApp({ name: 'mistakes', files: { 'typo.yaml': TYPO, 'empty.yaml': '# nothing yet\n', 'dup.yaml': [resource('d'), resource('d')].join('---\n') } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('an empty manifest: up warns and starts', () => {
    expect(app.up.output()).toContain('Warning: no apphost.ts or apphost.yaml here (and no -f): apphost starts with nothing to run');
  });

  it('a typo is refused with the field path (Strict), the object is not created; --validate=warn shows the warning', async () => {
    const strict = await cli('apply', '-f', 'typo.yaml');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe(
      `error: ${join(app.dir, 'typo.yaml')}: resource.apphost.dev/typo: strict decoding error: unknown field "spec.replica"\nerror: 1 object(s) could not be applied\n`,
    );
    expect(strict.stdout).toBe('');
    expect(await app.get('resources', 'typo')).toBeUndefined();

    const warn = await cli('apply', '-f', 'typo.yaml', '--validate=warn');
    expect(warn.code).toBe(0);
    expect(warn.stderr).toBe('Warning: unknown field "spec.replica"\n');
    expect(warn.stdout).toBe('resource.apphost.dev/typo created\n');
    expect((await app.get('resources', 'typo')).spec.replicas).toBe(1);
  });

  it('an empty manifest is an error for apply; a duplicate is refused before anything is applied', async () => {
    const empty = await cli('apply', '-f', 'empty.yaml');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('error: no objects passed to apply: empty.yaml holds no manifests\n');
    const dup = await cli('apply', '-f', 'dup.yaml');
    expect(dup.code).toBe(1);
    const file = join(app.dir, 'dup.yaml');
    expect(dup.stderr).toBe(`error: Resource "d" is defined twice: in ${file} (document 1, line 1) and in ${file} (document 2, line 7); rename one or remove it\n`);
    expect(await app.get('resources', 'd')).toBeUndefined();
  });

  it('a 5 MiB manifest is refused by apply as by up', async () => {
    writeFileSync(join(app.dir, 'big.yaml'), bigManifest());
    const r = await cli('apply', '-f', 'big.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(BIG_FILE_ERROR(join(app.dir, 'big.yaml')));
    expect(await app.get('resources', 'r0')).toBeUndefined();
  });
});
