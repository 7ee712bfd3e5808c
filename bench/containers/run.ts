// Benchmark: N containers from apply to Ready, against a shell script doing `docker run` N times and
// polling the published ports. Two apphost measurements:
//   controllers: the containers + networks controllers alone (Replicas written by the bench); Ready =
//                every published 127.0.0.1 port accepts a TCP connection (the script's criterion).
//   apphost:     the whole control plane (startApphost with every controller); one Resource with
//                `replicas: N` applied; Ready = the Resource reports N ready replicas (health probes).
// Prints the times and the ratios (target: apphost <= 1.3x the script).
//
//   node bin/run-ts.js bench/containers/run.ts [--count 20] [--rounds 3]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pino from 'pino';
import { createApphostRegistry } from '../../apiserver/registry/index.ts';
import { createStore } from '../../apiserver/store/index.ts';
import { createContainersController, LABELS } from '../../controllers/containers/index.ts';
import { createNetworksController } from '../../controllers/networks/index.ts';
import type { Replica, Resource } from '../../src/api/types.ts';
import { createDockerRuntime } from '../../src/platform/docker/index.ts';
import { createManager } from '../../src/runtime/manager.ts';
import { projectHash, startApphost } from '../../src/host/index.ts';
import { currentInstanceId } from '../../src/platform/process/index.ts';
import { TEST_IMAGE, dockerAvailable, ensureTestImage } from '../../test/support/docker-env.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const COUNT = arg('count', 20);
const ROUNDS = arg('rounds', 3);
const V = 'apphost.dev/v1';
const docker = new Docker();

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function removeByLabel(label: string): Promise<void> {
  const filters = JSON.stringify({ label: [label] });
  await Promise.all((await docker.listContainers({ all: true, filters })).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

async function baseline(): Promise<number> {
  const id = randomBytes(3).toString('hex');
  const label = `apphost.dev/bench=${id}`;
  const script = fileURLToPath(new URL('./baseline.sh', import.meta.url));
  const t0 = performance.now();
  await run('bash', [script, String(COUNT), TEST_IMAGE, label, `bench-sh-${id}`], { timeout: 120_000 });
  const ms = performance.now() - t0;
  await removeByLabel(label);
  return ms;
}

async function apphost(): Promise<number> {
  const id = randomBytes(3).toString('hex');
  const app = { name: `bench-${id}`, projectHash: `bench${id}`, instanceId: `b${id}` };
  const registry = createApphostRegistry();
  const store = createStore({ registry });
  const logger = pino({ level: 'silent' });
  const manager = createManager({ store, registry, logger, stopTimeoutMs: 2000 });
  const runtime = createDockerRuntime({ pullPolicy: 'never' });
  manager.add(createNetworksController({ runtime, app, tunnel: false }));
  manager.add(createContainersController({ runtime, app, gracePeriodSeconds: 0 }));
  await manager.start();
  try {
    const t0 = performance.now();
    // Apply: one Resource with COUNT replicas, as the replicas controller would create them.
    const res = await manager.client.create<Resource>({
      apiVersion: V,
      kind: 'Resource',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        container: { image: TEST_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'] },
        endpoints: [{ name: 'http', targetPort: 8080 }],
        replicas: COUNT,
        stopGracePeriodSeconds: 0,
      },
    });
    await Promise.all(
      Array.from({ length: COUNT }, (_, index) =>
        manager.client.create<Replica>({
          apiVersion: V,
          kind: 'Replica',
          metadata: { name: `web-${index}`, namespace: 'default', ownerReferences: [{ apiVersion: V, kind: 'Resource', name: 'web', uid: res.metadata.uid!, controller: true }] },
          spec: { resource: 'web', index, ports: [{ name: 'http', targetPort: 8080 }], templateHash: 'h' },
        }),
      ),
    );
    // Ready: every replica reports its published port and the port accepts connections.
    const ready = new Set<number>();
    const deadline = Date.now() + 120_000;
    while (ready.size < COUNT) {
      if (Date.now() > deadline) throw new Error(`only ${ready.size}/${COUNT} ready after 120 s`);
      const reps = store.list<Replica>('Replica', { namespace: 'default' }).items;
      await Promise.all(
        reps.map(async (r) => {
          const port = r.status?.ports?.[0]?.hostPort;
          if (port && !ready.has(r.spec.index) && (await canConnect(port))) ready.add(r.spec.index);
        }),
      );
      if (ready.size < COUNT) await new Promise((r) => setTimeout(r, 25));
    }
    const ms = performance.now() - t0;
    return ms;
  } finally {
    await manager.stop();
    await removeByLabel(`${LABELS.app}=${app.name}`);
  }
}

async function wholeApphost(): Promise<number> {
  const id = randomBytes(3).toString('hex');
  const name = `bench-full-${id}`;
  const dir = await mkdtemp(join(tmpdir(), 'apphost-bench-'));
  const runtime = createDockerRuntime({ pullPolicy: 'never' });
  const identity = { name, projectHash: projectHash(dir), instanceId: currentInstanceId() };
  const app = await startApphost({
    dir,
    name,
    docker: false,
    gracePeriodMs: 0,
    logger: pino({ level: 'silent' }),
    controllers: [
      createNetworksController({ runtime, app: identity }),
      createContainersController({ runtime, app: identity, gracePeriodSeconds: 0 }),
    ],
  });
  try {
    const t0 = performance.now();
    await app.apply([
      {
        apiVersion: V,
        kind: 'Resource',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          container: { image: TEST_IMAGE, command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'] },
          endpoints: [{ name: 'http', targetPort: 8080 }],
          replicas: COUNT,
          stopGracePeriodSeconds: 0,
        },
      },
    ]);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = app.store.tryGet<Resource>('Resource', 'default', 'web');
      if ((res?.status?.readyReplicas ?? 0) >= COUNT) break;
      if (Date.now() > deadline) throw new Error(`only ${res?.status?.readyReplicas ?? 0}/${COUNT} ready after 120 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return performance.now() - t0;
  } finally {
    await app.stop();
    await removeByLabel(`${LABELS.app}=${name}`);
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!(await dockerAvailable())) {
    console.error('Docker is not available: start dockerd (see .ci/docker-setup.sh)');
    process.exitCode = 1;
    return;
  }
  await ensureTestImage();
  const shell: number[] = [];
  const ours: number[] = [];
  const full: number[] = [];
  // Warm-up (page cache, image layers, docker-proxy binary) not counted.
  await baseline();
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always runs on a warmer daemon.
    if (round % 2 === 0) {
      shell.push(await baseline());
      ours.push(await apphost());
      full.push(await wholeApphost());
    } else {
      full.push(await wholeApphost());
      ours.push(await apphost());
      shell.push(await baseline());
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const s = median(shell);
  const a = median(ours);
  const f = median(full);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const verdict = (r: number) => `${r.toFixed(2)}x (target <= 1.30x) ${r <= 1.3 ? 'OK' : 'OVER TARGET'}`;
  console.log(`containers: ${COUNT} containers apply->Ready, ${ROUNDS} rounds (median)`);
  console.log(`  shell script (docker run x${COUNT} + poll ports):   ${s.toFixed(0)} ms   [${list(shell)}]`);
  console.log(`  containers + networks controllers (ports open):  ${a.toFixed(0)} ms   [${list(ours)}]`);
  console.log(`  whole apphost (Resource readyReplicas = ${COUNT}):    ${f.toFixed(0)} ms   [${list(full)}]`);
  console.log(`  ratio controllers/script: ${verdict(a / s)}`);
  console.log(`  ratio apphost/script:     ${verdict(f / s)}`);
}

await main();
