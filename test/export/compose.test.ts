// `apphostctl export compose` run for real: the exported compose.yaml passes `docker-compose
// config`, starts with docker-compose against the offline busybox image, and the exported app
// answers on its published port with what it fetched from another service through its discovery
// variable, from a network alias, after a one-shot job completed and a health-checked dependency
// became healthy. Containers, networks and volumes are removed by project name afterwards.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTestRun, dockerTestEnv, TEST_IMAGE, TEST_LABEL } from '../support/docker-env.ts';
import { freePort, waitFor } from '../support/wait.ts';
import { runCli } from '../cli/support.ts';

const run = promisify(execFile);
const docker = await dockerTestEnv();
const compose = await run('docker-compose', ['version', '--short']).then(() => true, () => false);
if (docker.available && !compose) console.warn('docker-compose not installed: skipping the compose run (apt-get install docker-compose)');

function appYaml(webPort: number): string {
  return `apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: cache}
spec:
  container:
    image: ${TEST_IMAGE}
    command: sh
    args: ["-c", "while true; do echo PONG | nc -l -p 6379; done"]
    networkAliases: [redis-primary]
    volumes: [{source: cachedata, target: /data}]
  endpoints: [{name: tcp, targetPort: 6379}]
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: migrate}
spec:
  container:
    image: ${TEST_IMAGE}
    command: sh
    args: ["-c", "echo migrated"]
  restartPolicy: Never
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: api}
spec:
  container:
    image: ${TEST_IMAGE}
    command: sh
    args: ["-c", "mkdir -p /www && echo \\"api-ok $API_TOKEN\\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
  replicas: 2
  env: [{name: API_TOKEN, value: "t0k3n"}]
  endpoints: [{name: http, scheme: http, targetPort: 8080}]
  healthCheck: {endpoint: http, path: /index.html, intervalSeconds: 1}
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: exe}
spec:
  executable: {command: python3, args: [app.py]}
  endpoints: [{name: http, scheme: http, env: PORT}]
---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: web}
spec:
  container:
    image: ${TEST_IMAGE}
    command: sh
    args:
      - -c
      - |
        mkdir -p /www
        i=0
        until a=$(wget -q -O - "$services__api__http__0/index.html") && e=$(wget -q -O - "$EXE_HTTP/index.html") && c=$(nc redis-primary 6379 </dev/null) && [ -n "$c" ]; do
          i=$((i+1)); [ $i -gt 60 ] && exit 1; sleep 1
        done
        echo "$a|$e|$c|$API_HTTP|$PRICE" > /www/index.html
        exec httpd -f -p 8080 -h /www
  env: [{name: PRICE, value: "5$"}]
  endpoints: [{name: http, scheme: http, port: ${webPort}, targetPort: 8080, isExternal: true}]
  references: [{resource: api}, {resource: cache}, {resource: exe}]
  waitFor: [{resource: api, condition: Healthy}, {resource: migrate, condition: Completed}, {resource: cache}, {resource: exe}]
`;
}

describe.skipIf(!docker.available || !compose)('export compose, run with docker-compose', () => {
  let dir: string;
  let out: string;
  let webPort: number;
  const project = `apphostexport${docker.runId}`;
  const dc = (...args: string[]) => run('docker-compose', ['-p', project, '-f', join(out, 'compose.yaml'), ...args], { cwd: out, timeout: 120_000 });

  // The executable ships as an image that listens on $PORT (built offline from the busybox image).
  const exeImage = `apphost-test/export-exe:${docker.runId}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apphost-export-compose-'));
    const ctx = join(dir, 'exe-image');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCMD ["sh", "-c", "mkdir -p /www && echo exe-on-$PORT > /www/index.html && exec httpd -f -p $PORT -h /www"]\n`);
    await run('docker', ['build', '-q', '--label', `${TEST_LABEL}=${docker.runId}`, '-t', exeImage, ctx], { timeout: 120_000 });
    out = join(dir, 'out');
    webPort = await freePort();
    writeFileSync(join(dir, 'apphost.yaml'), appYaml(webPort));
  });

  afterAll(async () => {
    await dc('down', '-v', '--remove-orphans', '-t', '2').catch(() => undefined);
    await removeProject(project);
    await cleanupTestRun(docker.runId);
    await new Docker().getImage(exeImage).remove({ force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes compose.yaml and .env and prints what it wrote', async () => {
    const r = await runCli(['export', 'compose', '-f', dir, '-o', out, '--image', `exe=${exeImage}`], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/compose\.yaml/);
    expect(r.stdout).toMatch(/\.env/);
    expect(r.stdout).toMatch(/fill them in \.env/);
    const doc = parse(readFileSync(join(out, 'compose.yaml'), 'utf8'));
    expect(doc.services.web.depends_on).toEqual({
      api: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
      cache: { condition: 'service_started' },
      exe: { condition: 'service_started' },
    });
    expect(doc.services.web.ports).toEqual([`${webPort}:8080`]);
    expect(doc.services.api.ports).toBeUndefined();
    expect(doc.services.web.environment.services__api__http__0).toBe('http://api:8080');
    expect(doc.services.web.environment.CACHE_TCP).toBe('tcp://cache:6379');
    expect(doc.services.web.environment.EXE_HTTP).toBe('http://exe:8080');
    expect(doc.services.exe.environment).toEqual({ PORT: '8080' });
    expect(doc.services.cache.networks.apphost.aliases).toEqual(['redis-primary']);
    expect(doc.services.migrate.restart).toBe('no');
    expect(doc.volumes).toEqual({ cachedata: {} });
    // The secret is not in compose.yaml: .env holds an empty entry compose insists on.
    expect(doc.services.api.environment.API_TOKEN).toBe('${API_API_TOKEN:?set API_API_TOKEN in .env}');
    expect(readFileSync(join(out, '.env'), 'utf8')).toMatch(/^API_API_TOKEN=$/m);
    expect(statSync(join(out, '.env')).mode & 0o777).toBe(0o600);
    // ... so compose refuses to run until it is filled in.
    const refused = await dc('config', '-q').then(() => undefined, (e: { stderr: string }) => e.stderr);
    expect(refused).toMatch(/API_API_TOKEN/);
  });

  it('runs with docker-compose: services reach each other by discovery variable and alias, the app answers on its published port', async () => {
    const r = await runCli(['export', 'compose', '-f', dir, '-o', out, '--include-secrets', '--image', `exe=${exeImage}`], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, '.env'), 'utf8')).toMatch(/^API_API_TOKEN=t0k3n$/m);
    await dc('config', '-q');
    await dc('up', '-d');
    const body = await waitFor(
      `web on 127.0.0.1:${webPort}`,
      async () => {
        const res = await fetch(`http://127.0.0.1:${webPort}/index.html`).catch(() => undefined);
        return res?.ok ? (await res.text()).trim() : undefined;
      },
      90_000,
      500,
    );
    // api's page (its secret from .env), the executable on the port it was given (PORT=8080), the
    // cache through its alias, the discovery URL, a literal `$`.
    expect(body).toBe('api-ok t0k3n|exe-on-8080|PONG|http://api:8080|5$');
    // deploy.replicas: two api containers behind the one service name.
    expect((await dc('ps', '-q', 'api')).stdout.trim().split('\n')).toHaveLength(2);
    const { stdout } = await dc('ps', '-a', '-q', 'migrate');
    const migrate = await new Docker().getContainer(stdout.trim()).inspect();
    expect(migrate.State.ExitCode).toBe(0);
  }, 180_000);
});

async function removeProject(project: string): Promise<void> {
  const d = new Docker();
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${project}`] });
  for (const c of await d.listContainers({ all: true, filters }).catch(() => [])) await d.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const n of await d.listNetworks({ filters }).catch(() => [])) await d.getNetwork(n.Id).remove().catch(() => undefined);
  for (const v of (await d.listVolumes({ filters }).catch(() => ({ Volumes: [] }))).Volumes ?? []) await d.getVolume(v.Name).remove().catch(() => undefined);
}
