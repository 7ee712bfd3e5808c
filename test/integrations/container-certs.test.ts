// A container with an https endpoint gets the development certificate, key and CA mounted read-only
// at the paths its TLS variables name (real dockerd, the offline busybox image); the CA key is not.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Replica } from '../../src/api/types.ts';
import { createBuilder } from '../../src/builder/builder.ts';
import { startApphost, type Apphost } from '../../src/host/index.ts';
import { devCertificatePaths, devCertsDir } from '../../src/platform/tls/index.ts';
import { TEST_IMAGE, dockerTestEnv } from '../support/docker-env.ts';
import { waitFor } from '../support/wait.ts';

const env = await dockerTestEnv();
const dockerIt = env.available ? it : it.skip;

describe('development certificates in containers (real dockerd)', () => {
  let app: Apphost | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  dockerIt('APPHOST_TLS_CERT, APPHOST_TLS_KEY and NODE_EXTRA_CA_CERTS are readable files inside; ca-key.pem is absent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apphost-ctr-certs-'));
    const [image, tag] = TEST_IMAGE.split(':');
    const b = createBuilder({ baseDir: dir });
    b.addContainer('tls', { image: image!, tag: tag!, command: 'sh', args: ['-c', 'md5sum "$APPHOST_TLS_CERT" "$APPHOST_TLS_KEY" "$NODE_EXTRA_CA_CERTS"; ls /run/apphost/dev-certs; echo LISTED; sleep 3600'] })
      .withHttpsEndpoint({ targetPort: 8443 });
    app = await startApphost({ dir, name: `certs-${env.runId}`, manifests: b.build().manifests(), docker: true, gracePeriodMs: 200 });
    const a = app;
    const text = await waitFor('the container output', () => {
      const t = a.logs.read('default/tls-0').map((l) => l.line).join('\n');
      return t.includes('LISTED') ? t : undefined;
    }, 60_000, 100);
    const envs = Object.fromEntries((a.store.get<Replica>('Replica', 'default', 'tls-0').spec.env ?? []).map((e) => [e.name, e.value]));
    expect(envs.APPHOST_TLS_CERT).toBe('/run/apphost/dev-certs/localhost.pem');
    const host = devCertificatePaths(devCertsDir());
    const md5 = async (f: string) => (await import('node:crypto')).createHash('md5').update(await readFile(f)).digest('hex');
    expect(text).toContain(`${await md5(host.cert)}  /run/apphost/dev-certs/localhost.pem`);
    expect(text).toContain(`${await md5(host.key)}  /run/apphost/dev-certs/localhost-key.pem`);
    expect(text).toContain(`${await md5(host.caCert)}  /run/apphost/dev-certs/ca.pem`);
    expect(text).not.toContain('ca-key.pem');
  }, 120_000);
});
