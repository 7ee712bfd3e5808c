// UDP: datagrams through a UDP proxy reach two replicas and the replies come back to each client.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { echoResource, startTestApphost, waitFor, type TestApphost } from './support/harness.ts';

/** Sends `msg` until a reply comes (UDP is lossy: a datagram sent before the app binds is dropped). */
function ask(sock: Socket, port: number, msg: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const send = () => sock.send(msg, port, '127.0.0.1');
    const resend = setInterval(send, 200);
    const timer = setTimeout(() => (done(), reject(new Error(`no reply to ${msg}`))), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      clearInterval(resend);
      sock.off('message', onMsg);
    };
    const onMsg = (data: Buffer) => {
      done();
      resolve(data.toString());
    };
    sock.on('message', onMsg);
    send();
  });
}

describe('udp', () => {
  let t: TestApphost | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await t?.close();
    t = undefined;
  });

  it('spreads client flows over two replicas and answers each client', async () => {
    t = await startTestApphost([echoResource('dns', { replicas: 2, endpoints: [{ name: 'dns', protocol: 'UDP', env: 'PORT' }] }, ['--udp'])]);
    await t.waitReady('dns', 2);
    const ep = await t.waitEndpoint('dns-dns', 2);
    const port = ep.status!.port!;
    await waitFor('udp proxy bound', () => t!.app.store.tryGet<{ status?: { port?: number } } & import('../../src/api/types.ts').KubeObject>('Proxy', 'default', 'dns-dns')?.status?.port === port);

    const served = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const sock = createSocket('udp4');
      sockets.push(sock);
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const reply = await ask(sock, port, `hello-${i}`);
      const [replica, echoed] = reply.split(':');
      expect(echoed).toBe(`hello-${i}`);
      served.add(replica!);
      // The same client keeps its flow (and its replica).
      expect((await ask(sock, port, `again-${i}`)).split(':')[0]).toBe(replica);
    }
    expect([...served].sort()).toEqual(['dns-0', 'dns-1']);
  });
});
