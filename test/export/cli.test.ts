// apphostctl export through the real CLI: a user's mistakes end as one `error:` line naming the
// resource and the flag; the output folder is never clobbered; an earlier export is replaced.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/support.ts';

const APP = `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: api}
spec:
  executable: {command: python3, args: [app.py]}
  endpoints: [{name: http, scheme: http, env: PORT}, {name: admin, scheme: http, port: 9000, env: ADMIN_PORT}]
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  executable: {command: node, args: [server.js], workingDir: web}
  endpoints: [{name: http, scheme: http, port: 5066, env: PORT, isExternal: true}]
  references: [{resource: api}]
`;

let dir: string;
const cli = (...args: string[]) => runCli(args, dir);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apphost-export-cli-'));
  writeFileSync(join(dir, 'apphost.yaml'), APP);
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'server.js'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('apphostctl export', () => {
  it('refuses an executable without an image in one line naming it, the flag and withImage()', async () => {
    const r = await cli('export', 'compose', '-o', join(dir, 'out-none'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: executable "api" \(python3 app\.py\) has no container image: pass --image api=IMAGE, or set it .*withImage\(/);
    expect(existsSync(join(dir, 'out-none'))).toBe(false);
  });

  it('refuses --image for a resource that does not exist, and a malformed --image', async () => {
    const unknown = await cli('export', 'compose', '-o', join(dir, 'o'), '--image', 'apx=img:1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: --image apx=\.\.\.: there is no resource "apx" \(resources: api, web\)\n$/);
    const bad = await cli('export', 'compose', '-o', join(dir, 'o'), '--image', 'api');
    expect(bad.stderr).toMatch(/^error: --image api: expected NAME=IMAGE/);
    const ns = await cli('export', 'compose', '-o', join(dir, 'o'), '--namespace', 'shop', '--image', 'api=a:1');
    expect(ns.code).toBe(1);
    expect(ns.stderr).toMatch(/^error: --format, --gateway and --namespace are for `export kubernetes`/);
    const format = await cli('export', 'kubernetes', '-o', join(dir, 'o'), '--format', 'kustomize');
    expect(format.code).not.toBe(0);
    expect(format.stderr).toMatch(/--format.*kustomize.*(helm|manifests)/);
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('gives executables fixed ports (env-assigned 8080, 8081...), generates a Dockerfile for a Node app, uses --registry', async () => {
    const out = join(dir, 'out');
    const r = await cli('export', 'compose', '-o', out, '--image', 'api=ghcr.io/org/api:1.2', '--registry', 'ghcr.io/org');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/dockerfiles\/web\.Dockerfile/);
    const doc = parse(readFileSync(join(out, 'compose.yaml'), 'utf8'));
    expect(doc.services.api.image).toBe('ghcr.io/org/api:1.2');
    expect(doc.services.api.environment).toEqual({ PORT: '8080', ADMIN_PORT: '8081' });
    expect(doc.services.web.image).toBe('ghcr.io/org/web:latest');
    expect(doc.services.web.build.context).toBe(join(dir, 'web'));
    expect(doc.services.web.environment).toMatchObject({
      services__api__http__0: 'http://api:8080',
      API_ADMIN: 'http://api:8081',
      PORT: '8080',
    });
    expect(doc.services.web.ports).toEqual(['5066:8080']);
    const dockerfile = readFileSync(join(out, 'dockerfiles', 'web.Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^CMD \["node","server\.js"\]$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
  });

  it('tells a .NET project to listen on its fixed ports on every interface (Kestrel endpoints)', async () => {
    const project = fileURLToPath(new URL('../fixtures/dotnet/kestrel', import.meta.url));
    const app = join(dir, 'dotnet');
    mkdirSync(app);
    writeFileSync(join(app, 'apphost.yaml'), `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: orders}
spec:
  executable: {command: dotnet, args: [run], workingDir: ${project}, launchProfile: {}, image: ghcr.io/org/orders:1}
`);
    const r = await runCli(['export', 'compose', '-o', join(app, 'out')], app);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/has no env variable/);
    expect(r.stdout).toMatch(/no endpoint is marked isExternal, so nothing is reachable from outside/);
    const doc = parse(readFileSync(join(app, 'out', 'compose.yaml'), 'utf8'));
    expect(doc.services.orders.environment).toEqual({
      Kestrel__Endpoints__Http__Url: 'http://+:8080',
      Kestrel__Endpoints__Grpc_Internal__Url: 'http://+:8081',
    });
    expect(doc.services.orders.expose).toEqual(['8080', '8081']);
  });

  it('refuses a resource whose name cannot name a Kubernetes Service', async () => {
    const app = join(dir, 'digit');
    mkdirSync(app);
    writeFileSync(join(app, 'apphost.yaml'), 'apiVersion: apphost.dev/v1\nkind: Resource\nmetadata: {name: 1api}\nspec:\n  container: {image: x}\n  endpoints: [{name: http, targetPort: 80}]\n');
    const r = await runCli(['export', 'kubernetes', '-o', join(app, 'out')], app);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: resource "1api": its Service "1api" needs a name .* starts with a letter: rename the resource\n$/);
    expect(existsSync(join(app, 'out'))).toBe(false);
  });

  it('never writes into a folder that holds other files; replaces its own earlier export', async () => {
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'keep.txt'), 'mine');
    const r = await cli('export', 'compose', '-o', foreign, '--image', 'api=a:1', '--image', 'web=w:1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not empty and holds no earlier export/);
    expect(readFileSync(join(foreign, 'keep.txt'), 'utf8')).toBe('mine');

    const out = join(dir, 'again');
    await cli('export', 'compose', '-o', out, '--image', 'api=a:1');
    expect(existsSync(join(out, 'dockerfiles', 'web.Dockerfile'))).toBe(true);
    const again = await cli('export', 'compose', '-o', out, '--image', 'api=a:1', '--image', 'web=w:1');
    expect(again.code).toBe(0);
    expect(existsSync(join(out, 'dockerfiles', 'web.Dockerfile'))).toBe(false);
    expect(parse(readFileSync(join(out, 'compose.yaml'), 'utf8')).services.web.image).toBe('w:1');
  });
});
