// Crash at random points, through the real `apphostctl up`: apphost is SIGKILLed at seeded random
// moments (start-up, steady state, during a scale 2 -> 6, during a spec change, during shutdown) with
// an executable of 2 replicas that forks a grandchild, a session container and a Persistent container
// with an alias. After each kill, the next `up` in the same folder must leave no process of the old
// run (grandchildren included) and no session container or network of it, adopt the persistent
// container, and serve it on the same host port.
//
// CRASH_SEED and CRASH_POINTS change the run (defaults: a fixed seed, 20 points).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_APP, startCli, type LiveCli } from '../cli/support.ts';
import { dockerTestEnv, TEST_IMAGE } from '../support/docker-env.ts';
import { isRunning, pidsWithEnv } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';
import { connectToApp } from '../support/cli-app.ts';
import { seeded } from '../support/seeded.ts';

const docker = await dockerTestEnv();
const SEED = Number(process.env.CRASH_SEED ?? 20261203);
const POINTS = Number(process.env.CRASH_POINTS ?? 20);
const PHASES = ['start-up', 'steady', 'scale', 'spec change', 'shutdown'] as const;
type Phase = (typeof PHASES)[number];

const APP = `app${process.pid}`;
const MARK = 'APPHOST_CRASH_TEST';

function manifest(): string {
  return [
    `kind: Resource
metadata: {name: web}
spec:
  executable: {command: sh, args: ['-c', 'sleep 1000 & exec node app.mjs']}
  replicas: 2
  endpoints: [{scheme: http, env: PORT}]`,
    `kind: Resource
metadata: {name: side}
spec:
  container: {image: ${TEST_IMAGE}, command: httpd, args: ['-f', '-p', '8080', '-h', '/var/www']}
  endpoints: [{name: http, scheme: http, targetPort: 8080}]`,
    `kind: Resource
metadata: {name: store}
spec:
  lifetime: Persistent
  container: {image: ${TEST_IMAGE}, command: httpd, args: ['-f', '-p', '8080', '-h', '/var/www'], networkAliases: [store-primary]}
  endpoints: [{name: http, scheme: http, targetPort: 8080}]`,
  ]
    .map((d) => `apiVersion: apphost.dev/v1\n${d}\n`)
    .join('---\n');
}

const READY = [/\[apphost\] web: Running 2\/2 ready/, /\[apphost\] side: Running 1\/1 ready/, /\[apphost\] store: Running 1\/1 ready/];

interface Leftovers {
  pids: number[];
  containers: string[];
  networks: string[];
}

describe.skipIf(!docker.available)('crash at random points', { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apphost-crash-points-'));
  writeFileSync(join(dir, 'app.mjs'), TEST_APP);
  writeFileSync(join(dir, 'apphost.yaml'), manifest());
  const engine = new Docker();
  const byApp = JSON.stringify({ label: [`apphost.dev/app=${APP}`] });
  let live: LiveCli | undefined;

  afterAll(async () => {
    if (live) await live.stop('SIGINT');
    for (const c of await engine.listContainers({ all: true, filters: byApp })) await engine.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const n of await engine.listNetworks({ filters: byApp })) await engine.getNetwork(n.Id).remove().catch(() => undefined);
    for (const pid of pidsWithEnv({ [MARK]: APP })) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const up = () => startCli(['up', '--plain', '--name', APP], dir, { [MARK]: APP });
  const ready = async (cli: LiveCli) => {
    for (const line of READY) await cli.waitFor(line, 90_000);
  };
  const patchResource = async (name: string, patch: unknown) => {
    const { client } = connectToApp(dir);
    try {
      const res = await client.request({
        method: 'PATCH',
        path: `/apis/apphost.dev/v1/namespaces/default/resources/${name}`,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify(patch),
      });
      expect(res.status).toBe(200);
    } finally {
      client.close();
    }
  };
  const sessionObjects = async () => ({
    containers: (await engine.listContainers({ all: true, filters: JSON.stringify({ label: [`apphost.dev/app=${APP}`, 'apphost.dev/lifetime=Session'] }) })).map((c) => c.Id),
    networks: (await engine.listNetworks({ filters: JSON.stringify({ label: [`apphost.dev/app=${APP}`, 'apphost.dev/lifetime=Session'] }) })).map((n) => n.Id),
  });
  const persistentStore = async () => {
    const [c] = await engine.listContainers({ filters: JSON.stringify({ label: [`apphost.dev/app=${APP}`, 'apphost.dev/resource=store'] }) });
    return c ? { id: c.Id, ports: c.Ports.filter((p) => p.PublicPort).map((p) => p.PublicPort).sort() } : undefined;
  };

  /** Drives one run of `up` to the kill point and SIGKILLs apphost there. */
  async function runUntilKilled(cli: LiveCli, phase: Phase, delayMs: number): Promise<void> {
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    if (phase === 'start-up') {
      await pause(delayMs * 4); // 0-4 s after spawn: anywhere from loading manifests to all replicas up
    } else {
      await ready(cli);
      if (phase === 'scale') {
        await patchResource('web', { spec: { replicas: 6 } });
        await pause(delayMs);
      } else if (phase === 'spec change') {
        await patchResource('web', { spec: { env: [{ name: 'VERSION', value: String(delayMs) }] } });
        await pause(delayMs);
      } else if (phase === 'shutdown') {
        cli.child.kill('SIGINT');
        await pause(delayMs);
      }
    }
    cli.child.kill('SIGKILL');
    await cli.stop('SIGKILL');
  }

  it(`leaves nothing behind after ${POINTS} SIGKILLs (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    const figures: { point: number; phase: Phase; delayMs: number; readyMs: number; processes: number; containers: number; networks: number }[] = [];
    let store: { id: string; ports: number[] } | undefined;
    let leftovers: Leftovers = { pids: [], containers: [], networks: [] };

    for (let point = 0; point <= POINTS; point++) {
      const t0 = Date.now();
      live = up();
      await ready(live);
      const readyMs = Date.now() - t0;

      // What the previous kill left must be gone now that the next `up` runs.
      if (point > 0) {
        const left = figures[point - 1]!;
        const previous = leftovers;
        await waitFor(`old processes gone after kill ${point} (${left.phase} +${left.delayMs} ms)`, () => previous.pids.every((pid) => !isRunning(pid)), 20_000).catch((err) => {
          const alive = previous.pids.filter(isRunning).map((pid) => `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`);
          throw new Error(`${(err as Error).message}; still running: ${alive.join('; ')}`);
        });
        const now = await sessionObjects();
        expect({ point, containers: previous.containers.filter((id) => now.containers.includes(id)) }).toEqual({ point, containers: [] });
        expect({ point, networks: previous.networks.filter((id) => now.networks.includes(id)) }).toEqual({ point, networks: [] });
      }
      // The persistent container is adopted, not recreated, and keeps its host port.
      const current = await persistentStore();
      expect(current).toBeDefined();
      if (store) expect({ point, ...current }).toEqual({ point, ...store });
      store ??= current;
      if (point === POINTS) break;

      const phase = PHASES[point % PHASES.length]!;
      const delayMs = Math.round(random() * 1000);
      const before = await sessionObjects();
      await runUntilKilled(live, phase, delayMs);
      live = undefined;
      const after = await sessionObjects();
      leftovers = {
        pids: pidsWithEnv({ [MARK]: APP }),
        containers: [...new Set([...before.containers, ...after.containers])],
        networks: [...new Set([...before.networks, ...after.networks])],
      };
      figures.push({ point, phase, delayMs, readyMs, processes: leftovers.pids.length, containers: after.containers.length, networks: after.networks.length });
    }
    console.log(`crash points (seed ${SEED}): orphans found after each kill, all removed by the next up\n` +
      figures.map((f) => `  ${String(f.point).padStart(2)} ${f.phase.padEnd(11)} +${String(f.delayMs).padStart(4)} ms: ${f.processes} processes, ${f.containers} session containers, ${f.networks} session networks (up was ready in ${f.readyMs} ms)`).join('\n'));

    // A clean stop at the end leaves nothing at all.
    await live!.stop('SIGINT');
    live = undefined;
    await waitFor('no process of the app after Ctrl+C', () => pidsWithEnv({ [MARK]: APP }).length === 0, 15_000);
    expect(await sessionObjects()).toEqual({ containers: [], networks: [] });
    // Some kills must have found something to clean, or the test proves nothing.
    expect(figures.some((f) => f.processes > 0)).toBe(true);
  });
});
