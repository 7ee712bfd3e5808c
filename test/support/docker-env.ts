// Test helpers for suites that need a real Docker Engine. Without Docker the suites are skipped
// with one visible notice; with APPHOST_REQUIRE_DOCKER=1 (CI) a missing Docker fails the run.
//
//   const docker = await dockerTestEnv();
//   describe.skipIf(!docker.available)('containers', () => { ... });
//   docker.requireOrSkip(); // or: registers a failing test when Docker is required but missing
import { execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { describe, it } from 'vitest';

const run = promisify(execFile);

export const TEST_IMAGE = process.env.APPHOST_TEST_IMAGE ?? 'apphost-test/busybox:latest';
/** Every object a test creates carries this label so cleanup can find it. */
export const TEST_LABEL = 'apphost.dev/test-run';

const SKIP_NOTICE =
  'Docker not available: skipping container tests; set APPHOST_REQUIRE_DOCKER=1 to fail instead';

let warned = false;
let cached: Promise<boolean> | undefined;

export function dockerRequired(): boolean {
  const v = process.env.APPHOST_REQUIRE_DOCKER;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** True when the Docker daemon answers a ping within `timeoutMs`. */
export async function dockerAvailable(options: { timeoutMs?: number } = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const docker = new Docker();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    await Promise.race([docker.ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Builds the offline test image when it is missing (test/fixtures/image/build-image.sh). */
export async function ensureTestImage(): Promise<void> {
  const docker = new Docker();
  try {
    await docker.getImage(TEST_IMAGE).inspect();
    return;
  } catch {
    // missing: build it
  }
  const script = fileURLToPath(new URL('../fixtures/image/build-image.sh', import.meta.url));
  await run('sh', [script], { env: { ...process.env, APPHOST_TEST_IMAGE: TEST_IMAGE }, timeout: 60_000 });
}

/** Once per test run, not once per worker: the workers of one run share the parent pid. */
function firstNoticeInRun(): boolean {
  try {
    closeSync(openSync(join(tmpdir(), `apphost-docker-notice-${process.ppid}`), 'wx'));
    return true;
  } catch {
    return false;
  }
}

export interface DockerTestEnv {
  /** Docker is up and the test image exists: run the suite. */
  available: boolean;
  /** Unique per test file run: use in names and as the TEST_LABEL value. */
  runId: string;
}

/**
 * Call once at the top of a container test file (top-level await). Warns once when Docker is missing;
 * when APPHOST_REQUIRE_DOCKER=1 it registers a failing test instead, so the run fails visibly.
 */
export async function dockerTestEnv(): Promise<DockerTestEnv> {
  cached ??= (async () => {
    if (!(await dockerAvailable())) return false;
    try {
      await ensureTestImage();
      return true;
    } catch (err) {
      console.warn(`Docker test image ${TEST_IMAGE} could not be built: ${(err as Error).message}`);
      return false;
    }
  })();
  const available = await cached;
  if (!available) {
    if (dockerRequired()) {
      describe('Docker', () => {
        it('is available (APPHOST_REQUIRE_DOCKER=1)', () => {
          throw new Error(
            `APPHOST_REQUIRE_DOCKER is set but Docker is not available (or the image ${TEST_IMAGE} cannot be built): start dockerd and run .ci/docker-setup.sh`,
          );
        });
      });
    } else if (!warned) {
      warned = true;
      if (firstNoticeInRun()) console.warn(SKIP_NOTICE);
    }
  }
  return { available, runId: `t${randomBytes(4).toString('hex')}` };
}

/** Removes every container and network carrying TEST_LABEL=runId (force). */
export async function cleanupTestRun(runId: string): Promise<void> {
  const docker = new Docker();
  const filters = JSON.stringify({ label: [`${TEST_LABEL}=${runId}`] });
  const containers = await docker.listContainers({ all: true, filters }).catch(() => []);
  await Promise.all(
    containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)),
  );
  const networks = await docker.listNetworks({ filters }).catch(() => []);
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
}
