// Ports end to end: real processes behind real proxies (DESIGN.md section 1, "Ports").
import { afterEach, describe, expect, it } from 'vitest';
import { listeningPorts } from '../support/proc.ts';
import { echoResource, freePort, httpGet, startTestApphost, type EchoAnswer, type TestApphost } from './support/harness.ts';

describe('ports', () => {
  let t: TestApphost | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('no port given: a random proxy port, a different random target port in PORT, and the proxy URL answers 200', async () => {
    t = await startTestApphost([echoResource('api', { endpoints: [{ scheme: 'http', env: 'PORT' }] })]);
    const ep = await t.waitEndpoint('api-http');
    const [rep] = await t.waitReady('api', 1);
    const target = rep!.status!.ports!.find((p) => p.name === 'http')!.targetPort;
    expect(ep.status!.proxied).toBe(true);
    expect(ep.status!.port).toBeGreaterThan(0);
    expect(target).not.toBe(ep.status!.port);
    expect(rep!.status!.env).toContainEqual({ name: 'PORT', value: String(target) });

    const res = await httpGet(ep.status!.url!);
    expect(res.status).toBe(200);
    const body = res.json<EchoAnswer>();
    expect(body.port).toBe(target);
    expect(body.env.PORT).toBe(String(target));
    expect(ep.status!.url).toBe(`http://localhost:${ep.status!.port}`);
    // The proxy listens in apphost's process; the app on its own target port.
    expect(listeningPorts()).toContain(ep.status!.port);
    expect(listeningPorts(body.pid)).toEqual([target]);
  });

  it('a fixed port with 2 replicas: one proxy on that port, two distinct PORT values, new connections reach both', async () => {
    const port = await freePort();
    t = await startTestApphost([echoResource('web', { replicas: 2, endpoints: [{ scheme: 'http', port, env: 'PORT' }] })]);
    const ep = await t.waitEndpoint('web-http', 2);
    expect(ep.status!.port).toBe(port);
    const reps = await t.waitReady('web', 2);
    const ports = reps.map((r) => r.status!.env!.find((e) => e.name === 'PORT')!.value);
    expect(new Set(ports).size).toBe(2);
    expect(ports).not.toContain(String(port));

    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await httpGet(`http://127.0.0.1:${port}/`)).json<EchoAnswer>().replica);
    expect([...seen].sort()).toEqual(['web-0', 'web-1']);
  });

  it('targetPort + env on one replica: PORT is the targetPort, the proxy port is random', async () => {
    const targetPort = await freePort();
    t = await startTestApphost([echoResource('api', { endpoints: [{ scheme: 'http', targetPort, env: 'PORT' }] })]);
    const ep = await t.waitEndpoint('api-http');
    const [rep] = await t.waitReady('api', 1);
    expect(rep!.status!.env).toContainEqual({ name: 'PORT', value: String(targetPort) });
    expect(ep.status!.port).not.toBe(targetPort);
    const body = (await httpGet(ep.status!.url!)).json<EchoAnswer>();
    expect(body.port).toBe(targetPort);
  });

  it('proxyless with targetPort only: the app listens on exactly that port and no proxy is bound', async () => {
    const targetPort = await freePort();
    t = await startTestApphost([echoResource('api', { endpoints: [{ scheme: 'http', targetPort, env: 'PORT', isProxied: false }] })]);
    await t.waitReady('api', 1);
    const ep = await t.waitEndpoint('api-http');
    expect(ep.status!.proxied).toBe(false);
    expect(ep.status!.port).toBe(targetPort);
    expect(ep.status!.url).toBe(`http://localhost:${targetPort}`);
    expect(t.app.store.list('Proxy').items).toHaveLength(0);
    const body = (await httpGet(`http://127.0.0.1:${targetPort}/`)).json<EchoAnswer>();
    expect(body.port).toBe(targetPort);
    // Nothing else is bound: apphost itself listens only for its API, the app only on targetPort.
    expect(listeningPorts()).toEqual([Number(new URL(t.app.url).port)]);
    expect(listeningPorts(body.pid)).toEqual([targetPort]);
  });
});
