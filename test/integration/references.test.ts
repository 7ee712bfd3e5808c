// References inject both variable forms with the proxy URL (DESIGN.md section 1, "References").
import { afterEach, describe, expect, it } from 'vitest';
import { echoResource, httpGet, startTestApphost, type EchoAnswer, type TestApphost } from './support/harness.ts';

describe('references', () => {
  let t: TestApphost | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('injects services__<res>__<ep>__0 and <RES>_<EP> with the proxy URL; excludeFromReferences and hyphenated names', async () => {
    t = await startTestApphost([
      echoResource('my-api', {
        endpoints: [
          { scheme: 'http', env: 'PORT' },
          { name: 'admin', scheme: 'http', excludeFromReferences: true },
        ],
      }),
      echoResource('plain', { endpoints: [{ scheme: 'http', env: 'PORT' }], references: [{ resource: 'my-api' }] }),
      echoResource('named', { endpoints: [{ scheme: 'http', env: 'PORT' }], references: [{ resource: 'my-api', endpoint: 'admin' }] }),
    ]);
    const http = await t.waitEndpoint('my-api-http', 0);
    const admin = await t.waitEndpoint('my-api-admin', 0);
    await t.waitReady('plain', 1);
    await t.waitReady('named', 1);

    const plainEp = await t.waitEndpoint('plain-http');
    const env = (await httpGet(plainEp.status!.url!)).json<EchoAnswer>().env;
    expect(env.services__my_api__http__0 ?? env['services__my-api__http__0']).toBe(http.status!.url);
    expect(env.MY_API_HTTP).toBe(http.status!.url);
    expect(http.status!.url).toMatch(/^http:\/\/localhost:\d+$/);
    // excluded from a plain reference...
    expect(Object.keys(env).filter((k) => /admin/i.test(k))).toEqual([]);

    // ...but not from a reference that names it.
    const namedEp = await t.waitEndpoint('named-http');
    const env2 = (await httpGet(namedEp.status!.url!)).json<EchoAnswer>().env;
    expect(env2.MY_API_ADMIN).toBe(admin.status!.url);
    expect(env2.MY_API_HTTP).toBeUndefined();
  });

  it('the starter frontend reaches both api replicas through the injected variable', async () => {
    const { loadManifests } = await import('../../src/host/index.ts');
    const { fileURLToPath } = await import('node:url');
    const manifests = await loadManifests(fileURLToPath(new URL('../../examples/starter/apphost.yaml', import.meta.url)));
    // The starter's frontend uses the fixed port 5066; keep the test independent of it.
    const frontend = manifests.find((m) => m.metadata.name === 'frontend')!;
    const spec = frontend.spec as { endpoints: { port?: number }[] };
    delete spec.endpoints[0]!.port;
    t = await startTestApphost(manifests);
    await t.waitReady('api', 2);
    await t.waitReady('frontend', 2);
    const ep = await t.waitEndpoint('frontend-http', 2);
    const apis = new Set<string>();
    const fronts = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await httpGet(ep.status!.url!);
      expect(res.status).toBe(200);
      const body = res.json<{ frontend: string; api: string }>();
      fronts.add(body.frontend.split(' ')[0]!);
      apis.add(body.api.split(' ')[0]!);
    }
    expect([...fronts].sort()).toEqual(['frontend-0', 'frontend-1']);
    expect([...apis].sort()).toEqual(['api-0', 'api-1']);
  });
});
