// The TypeScript front end end to end: `apphostctl up -f apphost.ts` with a user controller
// (--controller) and a user CRD (--crds), observed through the CLI; and `node apphost.ts`
// (builder.build().run() starting apphost itself).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, SRC_INDEX, startCli, TEST_APP, type LiveCli } from './support.ts';
import { spawn } from 'node:child_process';
import { waitFor } from '../support/wait.ts';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));

const APPHOST_TS = `import { createBuilder } from ${JSON.stringify(SRC_INDEX)};
const builder = createBuilder({ name: 'tsapp' });
const api = builder.addNodeApp('api', '.', 'app.mjs').withHttpEndpoint({ env: 'PORT' }).withHttpHealthCheck('/health');
builder.addNodeApp('web', '.', 'app.mjs')
  .withHttpEndpoint({ env: 'PORT' })
  .withEnvironment('API_PORT', api.getEndpoint('http').property('port'))
  .withReference(api)
  .waitFor(api, 'Healthy');
await builder.build().run();
`;

const CONTROLLER_TS = `import { defineController } from ${JSON.stringify(SRC_INDEX)};
export default defineController({
  name: 'seen-marker',
  for: 'Resource',
  async reconcile(key, ctx) {
    const res = await ctx.client.get('Resource', key.namespace, key.name);
    if (!res || res.metadata.annotations?.['example.dev/seen'] === 'yes') return;
    await ctx.client.patch('Resource', key.namespace, key.name, { metadata: { annotations: { 'example.dev/seen': 'yes' } } }, 'merge');
  },
});
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: greetings.example.dev}
spec:
  group: example.dev
  scope: Namespaced
  names: {kind: Greeting, listKind: GreetingList, plural: greetings, singular: greeting, shortNames: [gr]}
  versions:
    - name: v1
      served: true
      storage: true
      additionalPrinterColumns:
        - {name: Text, type: string, jsonPath: .spec.text}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                text: {type: string}
`;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apphostctl-ts-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'app.mjs'), TEST_APP);
  writeFileSync(join(dir, 'apphost.ts'), APPHOST_TS);
  return dir;
}

describe('TypeScript front end', { timeout: 120_000 }, () => {
  it('up -f apphost.ts --controller --crds: the app runs, the controller acts, the CRD is served', async () => {
    const dir = appDir();
    writeFileSync(join(dir, 'marker.ts'), CONTROLLER_TS);
    mkdirSync(join(dir, 'crds'));
    writeFileSync(join(dir, 'crds', 'greetings.yaml'), CRD);
    const up: LiveCli = startCli(['up', '--plain', '-f', 'apphost.ts', '--controller', 'marker.ts', '--crds', 'crds'], dir);
    cleanup.push(async () => void (await up.stop('SIGKILL')));
    await up.waitFor(/\[apphost\] web: Running 1\/1 ready http:\/\/localhost:\d+/);
    expect(up.output()).toMatch(/^apphost tsapp /m);

    const web = await runCli(['get', 'replica/web-0', '-o', 'json'], dir);
    const env = (JSON.parse(web.stdout) as { status: { env: { name: string; value: string }[] } }).status.env;
    const apiUrl = env.find((e) => e.name === 'services__api__http__0')?.value;
    expect(apiUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(env.find((e) => e.name === 'API_PORT')?.value).toBe(apiUrl!.split(':')[2]);

    const seen = await runCli(['wait', '--for=jsonpath={.metadata.annotations.example\\.dev/seen}=yes', 'res/api', 'res/web', '--timeout=30s'], dir);
    expect(seen.stdout).toBe('resource.apphost.dev/api condition met\nresource.apphost.dev/web condition met\n');

    writeFileSync(join(dir, 'hello.yaml'), 'apiVersion: example.dev/v1\nkind: Greeting\nmetadata: {name: hello}\nspec: {text: hi there}\n');
    expect((await runCli(['apply', '-f', 'hello.yaml'], dir)).stdout).toBe('greeting.example.dev/hello created\n');
    const table = await runCli(['get', 'gr'], dir);
    expect(table.stdout).toMatch(/^NAME\s+TEXT\s+/);
    expect(table.stdout).toMatch(/^hello\s+hi there/m);

    expect(await up.stop('SIGTERM')).toBe(0);
    expect(up.output()).toMatch(/stopped apphost tsapp after/);
  });

  it('node apphost.ts: builder.build().run() starts apphost itself and stops on SIGINT', async () => {
    const dir = appDir();
    // Run directly by node, the file must be an ES module (top-level await).
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const child = spawn(process.execPath, [RUN_TS, 'apphost.ts'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor('node apphost.ts running web', () => {
      if (child.exitCode !== null) throw new Error(`node apphost.ts exited (${child.exitCode}): ${out}`);
      return /\[apphost\] web: Running 1\/1 ready/.test(out);
    }, 90_000);
    const names = await runCli(['get', 'res', '-o', 'name'], dir);
    expect(names.stdout).toBe('resource.apphost.dev/api\nresource.apphost.dev/web\n');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped apphost tsapp after/);
  });
});
