import { describe, expect, it } from 'vitest';
import { isContainerRuntimeError } from '../../src/platform/docker/errors.ts';
import { createFakeContainerRuntime } from './fake-container-runtime.ts';
import { createLogDemuxer } from '../../src/platform/docker/log-demux.ts';
import type { ContainerEvent, LogLine } from '../../src/platform/docker/types.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createFakeContainerRuntime', () => {
  it('runs containers, allocates host ports and attaches networks with aliases', async () => {
    const rt = createFakeContainerRuntime();
    const net = await rt.createNetwork({ name: 'n1', labels: { a: '1' } });
    expect(net.gateway).toBe('10.88.1.1');
    const c = await rt.runContainer({
      name: 'cache-x',
      image: 'redis',
      labels: { app: 'demo' },
      ports: [{ containerPort: 6379 }, { containerPort: 80, hostPort: 8000 }],
      network: { network: 'n1', aliases: ['cache', 'redis-primary'] },
    });
    expect(c.running).toBe(true);
    expect(c.ports.map((p) => [p.containerPort, p.hostPort > 0])).toEqual([[6379, true], [80, true]]);
    expect(c.ports[1]!.hostPort).toBe(8000);
    expect(c.networks.n1!.aliases).toEqual(['cache', 'redis-primary']);
    const clash = await rt.runContainer({ name: 'other', image: 'x', ports: [{ containerPort: 1, hostPort: 8000 }] }).catch((e: unknown) => e);
    expect(isContainerRuntimeError(clash, 'DOCKER_PORT_IN_USE')).toBe(true);
    const dup = await rt.runContainer({ name: 'cache-x', image: 'redis' }).catch((e: unknown) => e);
    expect(isContainerRuntimeError(dup, 'DOCKER_CONFLICT')).toBe(true);
    expect(await rt.listContainers({ labels: ['app=demo'] })).toHaveLength(1);
    expect(await rt.listContainers({ labels: ['app=other'] })).toHaveLength(0);
    const busy = await rt.removeNetwork('n1').catch((e: unknown) => e);
    expect(isContainerRuntimeError(busy, 'DOCKER_CONFLICT')).toBe(true);
    await rt.removeContainer(c.id, { force: true });
    await rt.removeNetwork('n1');
    expect(rt.networks.size).toBe(0);
  });

  it('emits label-filtered events, simulates exits and a daemon outage', async () => {
    const rt = createFakeContainerRuntime();
    const events: ContainerEvent[] = [];
    const errors: Error[] = [];
    let connected = 0;
    const sub = rt.subscribeEvents({ labels: ['app=demo'], onEvent: (e) => events.push(e), onError: (e) => errors.push(e), onConnected: () => connected++ });
    await tick();
    expect(connected).toBe(1);
    const c = await rt.runContainer({ name: 'a', image: 'x', labels: { app: 'demo' } });
    await rt.runContainer({ name: 'b', image: 'x', labels: { app: 'other' } });
    rt.simulateExit(c.id, 3);
    await tick();
    expect(events.map((e) => `${e.name}:${e.action}`)).toEqual(['a:create', 'a:start', 'a:die']);
    expect(events[2]!.exitCode).toBe(3);
    expect((await rt.inspectContainer('a'))?.state).toBe('exited');

    rt.setDaemonDown(true);
    await tick();
    expect(errors).toHaveLength(1);
    expect(isContainerRuntimeError(errors[0], 'DOCKER_UNAVAILABLE')).toBe(true);
    expect(await rt.available()).toBe(false);
    const err = await rt.runContainer({ name: 'c', image: 'x' }).catch((e: unknown) => e);
    expect(isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')).toBe(true);
    rt.setDaemonDown(false);
    await tick();
    expect(connected).toBe(2);
    sub.close();
    await sub.done;
  });

  it('replays and follows logs until the container exits', async () => {
    const rt = createFakeContainerRuntime();
    const c = await rt.runContainer({ name: 'a', image: 'x' });
    rt.writeLog(c.id, { stream: 'stdout', line: 'one' });
    const lines: LogLine[] = [];
    const sub = rt.logs(c.id, { onLine: (l) => lines.push(l) });
    rt.writeLog(c.id, { stream: 'stderr', line: 'two' });
    rt.simulateExit(c.id, 0);
    await sub.done;
    expect(lines).toEqual([{ stream: 'stdout', line: 'one' }, { stream: 'stderr', line: 'two' }]);
  });
});

describe('createLogDemuxer', () => {
  it('splits frames across chunk boundaries into per-stream lines', () => {
    const frame = (kind: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = kind;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const all = Buffer.concat([frame(1, 'hel'), frame(2, 'oops\r\n'), frame(1, 'lo\nwor'), frame(1, 'ld\ntail')]);
    const lines: LogLine[] = [];
    const d = createLogDemuxer((l) => lines.push(l));
    for (let i = 0; i < all.length; i += 5) d.push(all.subarray(i, i + 5));
    d.end();
    expect(lines).toEqual([
      { stream: 'stderr', line: 'oops' },
      { stream: 'stdout', line: 'hello' },
      { stream: 'stdout', line: 'world' },
      { stream: 'stdout', line: 'tail' },
    ]);
  });
});
