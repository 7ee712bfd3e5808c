// /metrics through real HTTPS: kube-apiserver's request counter and latency histogram by verb,
// resource and code, and the stored object count per kind (prom-client text format).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from '../../test/support/apiserver.ts';
import { createRawClient } from '../../test/support/raw-api-client.ts';

describe('/metrics', () => {
  let api: TestApiServer;
  let client: ReturnType<typeof createRawClient>;
  beforeAll(async () => {
    api = await startTestApiServer();
    client = createRawClient(api.server);
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  it('counts requests by verb, resource and code, times them, and counts stored objects', async () => {
    const base = '/apis/apphost.dev/v1/namespaces/default';
    const body = JSON.stringify({ apiVersion: 'apphost.dev/v1', kind: 'Network', metadata: { name: 'n1' } });
    expect((await client.request({ method: 'POST', path: `${base}/networks`, body, headers: { 'content-type': 'application/json' } })).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await client.request({ path: `${base}/networks` })).status).toBe(200);
    expect((await client.request({ path: `${base}/networks/missing` })).status).toBe(404);
    expect((await client.request({ path: `${base}/made-up-things` })).status).toBe(404);
    const text = (await client.request({ path: '/metrics' })).text;
    expect(text).toContain('apiserver_request_total{verb="POST",resource="networks.apphost.dev",code="201"} 1');
    expect(text).toContain('apiserver_request_total{verb="LIST",resource="networks.apphost.dev",code="200"} 3');
    expect(text).toContain('apiserver_request_total{verb="GET",resource="networks.apphost.dev",code="404"} 1');
    // A client's made-up kind never becomes a label of its own.
    expect(text).toContain('apiserver_request_total{verb="LIST",resource="unknown",code="404"} 1');
    expect(text).toMatch(/^apiserver_request_duration_seconds_count\{verb="LIST",resource="networks.apphost.dev"\} 3$/m);
    expect(text).toMatch(/^apiserver_storage_objects\{resource="networks.apphost.dev"\} 1$/m);
    expect(text).toMatch(/^apiserver_storage_objects\{resource="resources.apphost.dev"\} 0$/m);
  });
});
