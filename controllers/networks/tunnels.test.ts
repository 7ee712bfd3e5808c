// The container tunnel on real sockets: 127.0.0.2 stands in for the network gateway address.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetProxyFactory } from '../../src/platform/net/index.ts';
import { createTunnelSet, type TunnelSet } from './tunnels.ts';

const GATEWAY = '127.0.0.2';

function echoServer(host: string): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined); // probes connect and leave at once
    s.end('hello from the host');
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve(server)));
}

function read(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = net.connect({ host, port });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

describe('createTunnelSet', () => {
  const servers: net.Server[] = [];
  let set: TunnelSet | undefined;
  afterEach(async () => {
    await set?.close();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('forwards gateway:port to 127.0.0.1:port and closes tunnels that are no longer wanted', async () => {
    const server = await echoServer('127.0.0.1');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    set = createTunnelSet({ factory: createNetProxyFactory() });
    expect((await set.sync([{ name: 'api-http', address: GATEWAY, port, protocol: 'TCP' }])).size).toBe(0);
    expect(set.list()).toEqual(new Map([['api-http', `${GATEWAY}:${port}`]]));
    expect(await read(GATEWAY, port)).toBe('hello from the host');
    await set.sync([]);
    expect(set.list().size).toBe(0);
    await expect(read(GATEWAY, port)).rejects.toThrow();
  });

  it('treats a process already listening on every address as reachable without a tunnel', async () => {
    const server = await echoServer('0.0.0.0');
    servers.push(server);
    const port = (server.address() as net.AddressInfo).port;
    set = createTunnelSet({ factory: createNetProxyFactory() });
    expect((await set.sync([{ name: 'api-http', address: GATEWAY, port, protocol: 'TCP' }])).size).toBe(0);
    expect(set.list().get('api-http')).toBe(`${GATEWAY}:${port}`);
    expect(await read(GATEWAY, port)).toBe('hello from the host');
  });

  it('reports a tunnel it cannot bind', async () => {
    set = createTunnelSet({ factory: createNetProxyFactory() });
    // An address this machine does not have (TEST-NET-3).
    const failures = await set.sync([{ name: 'bad', address: '203.0.113.1', port: 40000, protocol: 'TCP' }]);
    expect(failures.get('bad')).toMatch(/^tunnel 203\.0\.113\.1:40000 for bad: /);
    expect(set.list().size).toBe(0);
  });
});
