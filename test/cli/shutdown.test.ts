// `apphostctl up`'s shutdown, through the real CLI, with a replica (and, with Docker, a session
// container) that ignores SIGTERM: Ctrl+C says at once what it waits for and for how long, and
// keeps saying it; a second Ctrl+C kills the replica's whole group and the container now, still
// removes the container, and exits 130 well before the 10 s grace period is over.
import Docker from 'dockerode';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCliApp, STUBBORN_RESOURCE as STUBBORN } from '../support/cli-app.ts';
import { dockerAvailable, TEST_IMAGE } from '../support/docker-env.ts';
import { isRunning, pidsWithEnv } from '../support/proc.ts';
import { waitFor } from '../support/wait.ts';

const APP = 'shutdown-talks';
// busybox sleep as PID 1 has no SIGTERM handler: docker stop waits out the grace period.
const [image, tag] = TEST_IMAGE.split(':');
const CONTAINER = `---
apiVersion: apphost.dev/v1
kind: Resource
metadata: {name: deaf}
spec:
  container: {image: ${image}, tag: '${tag ?? 'latest'}', command: sleep, args: ['1000']}
`;

async function appContainers(docker: Docker) {
  return docker.listContainers({ all: true, filters: { label: [`apphost.dev/app=${APP}`] } });
}

describe('up shutdown with replicas that ignore SIGTERM', { timeout: 90_000 }, () => {
  it('says what it waits for and how long; a second Ctrl+C kills and removes everything now', async () => {
    const withDocker = await dockerAvailable();
    const docker = new Docker();
    const app = await startCliApp({
      name: APP,
      files: { 'apphost.yaml': STUBBORN + (withDocker ? CONTAINER : '') },
      ready: withDocker ? /\[apphost\] deaf: Running 1\/1/ : /\[stubborn-0\] started/,
    });
    const group = await waitFor('the replica and its grandchild running', () => {
      const pids = pidsWithEnv({ APPHOST_REPLICA: 'stubborn-0' });
      return pids.length >= 2 && pids;
    });
    const leader = Math.min(...group);
    await app.up.waitFor(/\[stubborn-0\] started/);
    if (withDocker) expect((await appContainers(docker)).map((c) => c.State)).toEqual(['running']);
    const processesDir = join(app.dir, '.apphost', 'processes');

    const t0 = Date.now();
    app.up.child.kill('SIGINT');
    const what = withDocker ? '1 replica process\\(es\\) and 1 container\\(s\\)' : '1 replica process\\(es\\)';
    await app.up.waitFor(
      new RegExp(`stopping apphost ${APP} \\(SIGINT\\): ${what} get up to 10s to exit after SIGTERM, then SIGKILL; press Ctrl\\+C again to kill them now`),
      2000,
    );
    await app.up.waitFor(new RegExp(`waiting for stubborn-0 \\(pid ${leader}\\) to exit: SIGKILL in \\d+s`), 4000);
    expect(group.every(isRunning)).toBe(true); // it really was waiting

    const t1 = Date.now();
    const exited = new Promise<number | null>((resolve) => app.up.child.once('exit', (c) => resolve(c)));
    app.up.child.kill('SIGINT');
    const code = await exited;
    const tookAfterSecond = Date.now() - t1;
    expect(app.up.output()).toContain('SIGINT again: killing every replica process and session container now');
    expect(code).toBe(130);
    expect(tookAfterSecond).toBeLessThan(3000);
    expect(Date.now() - t0).toBeLessThan(9000); // before the 10 s grace would have ended
    for (const pid of group) expect({ pid, running: isRunning(pid) }).toEqual({ pid, running: false });
    expect(readdirSync(processesDir)).toEqual([]); // no crash record, no claim: nothing for the next up
    if (withDocker) expect(await appContainers(docker)).toEqual([]);
    await app.stop();
  });
});
