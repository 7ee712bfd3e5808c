// A container behind the same machinery (real dockerd): a process reaches it through its proxy via
// the injected reference, and stop() removes the session container and network. Skipped without
// Docker unless APPHOST_REQUIRE_DOCKER is set.
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../src/api/types.ts';
import { dockerAvailable, dockerRequired, ensureTestImage, TEST_IMAGE } from '../support/docker-env.ts';
import { echoResource, httpGet, startTestApphost, type EchoAnswer, type TestApphost } from './support/harness.ts';

const haveDocker = dockerRequired() || (await dockerAvailable({ timeoutMs: 10_000 }));

describe.skipIf(!haveDocker)('containers through startApphost', () => {
  let t: TestApphost | undefined;
  beforeAll(async () => {
    await ensureTestImage();
  }, 90_000);
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('runs a container Resource, proxies it, injects its URL into a process, and removes it on stop', async () => {
    const [image, tag] = TEST_IMAGE.split(':');
    const web: Resource = {
      apiVersion: 'apphost.dev/v1',
      kind: 'Resource',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        container: { image: image!, tag: tag ?? 'latest', command: 'httpd', args: ['-f', '-p', '8080', '-h', '/var/www'] },
        endpoints: [{ scheme: 'http', targetPort: 8080 }],
      },
    };
    t = await startTestApphost([web, echoResource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }], references: [{ resource: 'web' }] })], { docker: true });
    const [rep] = await t.waitReady('web', 1, 60_000);
    expect(rep!.status!.containerId).toBeTruthy();
    const ep = await t.waitEndpoint('web-http', 1, 30_000);
    const res = await httpGet(`${ep.status!.url!}/`);
    expect(res.status).toBeLessThan(500);

    const apiEp = await t.waitEndpoint('api-http');
    const env = (await httpGet(apiEp.status!.url!)).json<EchoAnswer>().env;
    expect(env.WEB_HTTP).toBe(ep.status!.url);

    const containerId = rep!.status!.containerId!;
    await t.close();
    t = undefined;
    const docker = new Docker();
    const gone = await docker.getContainer(containerId).inspect().then(() => false, () => true);
    expect(gone).toBe(true);
  }, 90_000);
});
