// Against the real Docker Engine with the offline busybox test image.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_IMAGE, TEST_LABEL, cleanupTestRun, dockerTestEnv } from '../../../test/support/docker-env.ts';
import { createDockerRuntime } from './docker-runtime.ts';
import { isContainerRuntimeError } from './errors.ts';
import type { ContainerEvent, LogLine } from './types.ts';

const env = await dockerTestEnv();

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}

describe('createDockerRuntime (unavailable daemon)', () => {
  it('fails ping with DOCKER_UNAVAILABLE and a one-line hint', async () => {
    const rt = createDockerRuntime({ socketPath: '/tmp/apphost-no-such-docker.sock' });
    expect(await rt.available()).toBe(false);
    const err = await rt.ping().catch((e: unknown) => e);
    expect(isContainerRuntimeError(err, 'DOCKER_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe(
      'Docker is not available: cannot connect to /tmp/apphost-no-such-docker.sock — start dockerd or Docker Desktop',
    );
    const listErr = await rt.listContainers().catch((e: unknown) => e);
    expect(isContainerRuntimeError(listErr, 'DOCKER_UNAVAILABLE')).toBe(true);
  });
});

describe.skipIf(!env.available)('createDockerRuntime (real dockerd)', () => {
  const rt = createDockerRuntime({ pullPolicy: 'never' });
  const run = env.runId;
  const labels = { [TEST_LABEL]: run };

  afterAll(async () => {
    await cleanupTestRun(run);
  });

  it('pings the daemon', async () => {
    await rt.ping();
    expect(await rt.available()).toBe(true);
  });

  it('publishes a container port on a Docker-chosen 127.0.0.1 port', async () => {
    const info = await rt.runContainer({
      name: `${run}-web`,
      image: TEST_IMAGE,
      command: 'httpd',
      args: ['-f', '-p', '8080', '-h', '/var/www'],
      labels,
      ports: [{ containerPort: 8080 }],
    });
    expect(info.running).toBe(true);
    expect(info.name).toBe(`${run}-web`);
    const port = info.ports.find((p) => p.containerPort === 8080);
    expect(port?.hostIp).toBe('127.0.0.1');
    expect(port?.hostPort).toBeGreaterThan(0);
    expect(await until(() => httpGet(port!.hostPort), 10_000, 'httpd')).toContain('apphost test image');

    const listed = await rt.listContainers({ labels: [`${TEST_LABEL}=${run}`] });
    expect(listed.map((c) => c.name)).toContain(`${run}-web`);

    await rt.stopContainer(info.id, { graceSeconds: 1 });
    const stopped = await rt.inspectContainer(info.id);
    expect(stopped?.running).toBe(false);
    await rt.stopContainer(info.id); // already stopped: no error
    await rt.removeContainer(info.id);
    expect(await rt.inspectContainer(info.id)).toBeUndefined();
    await rt.removeContainer(info.id); // already gone: no error
  });

  it('publishes a fixed host port and reports DOCKER_PORT_IN_USE when it is held', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as net.AddressInfo).port;
    try {
      const err = await rt
        .runContainer({ name: `${run}-busy`, image: TEST_IMAGE, command: 'sleep', args: ['30'], labels, ports: [{ containerPort: 80, hostPort: held }] })
        .catch((e: unknown) => e);
      expect(isContainerRuntimeError(err, 'DOCKER_PORT_IN_USE')).toBe(true);
      // The failed container is not left behind.
      expect(await rt.inspectContainer(`${run}-busy`)).toBeUndefined();
    } finally {
      await new Promise((r) => holder.close(r));
    }
    // Now that it is free, the same fixed port works (proxyless host port -> container port).
    const info = await rt.runContainer({
      name: `${run}-fixed`,
      image: TEST_IMAGE,
      command: 'httpd',
      args: ['-f', '-p', '8080', '-h', '/var/www'],
      labels,
      ports: [{ containerPort: 8080, hostPort: held }],
    });
    expect(info.ports).toContainEqual({ containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: held });
    expect(await until(() => httpGet(held), 10_000, 'httpd on fixed port')).toContain('apphost test image');
    await rt.removeContainer(info.id, { force: true });
  });

  it('reports stable codes for a name conflict and a missing image', async () => {
    const a = await rt.runContainer({ name: `${run}-dup`, image: TEST_IMAGE, command: 'sleep', args: ['30'], labels });
    const dup = await rt.runContainer({ name: `${run}-dup`, image: TEST_IMAGE, command: 'sleep', args: ['30'], labels }).catch((e: unknown) => e);
    expect(isContainerRuntimeError(dup, 'DOCKER_CONFLICT')).toBe(true);
    const missing = await rt
      .runContainer({ name: `${run}-noimg`, image: 'apphost-test/does-not-exist:never', labels })
      .catch((e: unknown) => e);
    expect(isContainerRuntimeError(missing, 'DOCKER_IMAGE_NOT_FOUND')).toBe(true);
    await rt.removeContainer(a.id, { force: true });
  });

  it('streams demultiplexed stdout and stderr lines', async () => {
    const info = await rt.runContainer({
      name: `${run}-logs`,
      image: TEST_IMAGE,
      command: 'sh',
      args: ['-c', 'echo out-1; echo err-1 >&2; echo out-2; sleep 0.3; printf partial'],
      env: { GREETING: 'hello' },
      labels,
    });
    const lines: LogLine[] = [];
    const sub = rt.logs(info.id, { follow: true, onLine: (l) => lines.push(l) });
    await sub.done;
    // Following ends when the container stops; dockerd may close the stream before it flushed the
    // unterminated last line, so only the complete lines are certain here.
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line).slice(0, 2)).toEqual(['out-1', 'out-2']);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['err-1']);

    await until(async () => (await rt.inspectContainer(info.id))?.state === 'exited', 10_000, 'exit');
    const again: LogLine[] = [];
    await rt.logs(info.id, { follow: false, onLine: (l) => again.push(l) }).done;
    expect(again.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['out-1', 'out-2', 'partial']);
    expect(again.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['err-1']);
    await rt.removeContainer(info.id, { force: true });
  });

  it('follows a flooding container whole, in order, a turn budget at a time', async () => {
    // 100,000 numbered lines (~1.3 MB); the stream is paused each time a turn's budget is spent.
    const info = await rt.runContainer({ name: `${run}-flood`, image: TEST_IMAGE, command: 'sh', args: ['-c', 'seq 1 100000 | sed s/^/line-/; sleep 1'], labels });
    const lines: string[] = [];
    await rt.logs(info.id, { follow: true, onLine: (l) => lines.push(l.line) }).done;
    expect(lines).toHaveLength(100_000);
    expect(lines[0]).toBe('line-1');
    expect(lines.every((l, i) => l === `line-${i + 1}`)).toBe(true);
    await rt.removeContainer(info.id, { force: true });
  });

  it('delivers start and die events (with exit code) filtered by label', async () => {
    const events: ContainerEvent[] = [];
    let connected = 0;
    const sub = rt.subscribeEvents({
      labels: [`${TEST_LABEL}=${run}`, 'apphost.dev/probe=events'],
      onEvent: (e) => events.push(e),
      onConnected: () => connected++,
    });
    await until(() => connected > 0, 5000, 'event stream');
    // A container without the label must not show up.
    const other = await rt.runContainer({ name: `${run}-unlabelled`, image: TEST_IMAGE, command: 'sh', args: ['-c', 'exit 0'], labels });
    const info = await rt.runContainer({
      name: `${run}-exit3`,
      image: TEST_IMAGE,
      command: 'sh',
      args: ['-c', 'sleep 0.2; exit 3'],
      labels: { ...labels, 'apphost.dev/probe': 'events' },
    });
    const die = await until(() => events.find((e) => e.action === 'die' && e.id === info.id), 10_000, 'die event');
    expect(die.exitCode).toBe(3);
    expect(die.name).toBe(`${run}-exit3`);
    expect(die.labels['apphost.dev/probe']).toBe('events');
    expect(events.some((e) => e.action === 'start' && e.id === info.id)).toBe(true);
    expect(events.some((e) => e.id === other.id)).toBe(false);
    const exited = await rt.inspectContainer(info.id);
    expect(exited?.state).toBe('exited');
    expect(exited?.exitCode).toBe(3);
    sub.close();
    await sub.done;
  });

  it('mounts a read-only bind mount and a named volume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apphost-vol-'));
    await writeFile(join(dir, 'greeting.txt'), 'from the host\n');
    const volume = `${run}-vol`;
    try {
      const info = await rt.runContainer({
        name: `${run}-volumes`,
        image: TEST_IMAGE,
        command: 'sh',
        args: ['-c', 'cat /in/greeting.txt; echo kept > /data/f && cat /data/f; touch /in/x 2>/dev/null && echo writable || echo read-only'],
        labels,
        volumes: [
          { source: dir, target: '/in', readOnly: true },
          { source: volume, target: '/data', type: 'volume' },
        ],
      });
      const lines: string[] = [];
      await rt.logs(info.id, { onLine: (l) => lines.push(l.line) }).done;
      expect(lines).toEqual(['from the host', 'kept', 'read-only']);
      await rt.removeContainer(info.id, { force: true });
    } finally {
      await new Docker().getVolume(volume).remove().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a bridge network where aliases resolve from another container', async () => {
    const netName = `${run}-net`;
    const network = await rt.createNetwork({ name: netName, labels });
    expect(network.driver).toBe('bridge');
    expect(network.subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(network.gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const dup = await rt.createNetwork({ name: netName, labels }).catch((e: unknown) => e);
    expect(isContainerRuntimeError(dup, 'DOCKER_CONFLICT')).toBe(true);
    expect((await rt.listNetworks({ labels: [`${TEST_LABEL}=${run}`] })).map((n) => n.name)).toEqual([netName]);

    const cache = await rt.runContainer({
      name: `${run}-cache`,
      image: TEST_IMAGE,
      command: 'httpd',
      args: ['-f', '-p', '8080', '-h', '/var/www'],
      labels,
      network: { network: netName, aliases: ['cache', 'redis-primary', 'session-store'] },
    });
    expect(cache.networks[netName]?.aliases).toEqual(expect.arrayContaining(['cache', 'redis-primary', 'session-store']));
    const ip = cache.networks[netName]!.ip;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const client = await rt.runContainer({
      name: `${run}-client`,
      image: TEST_IMAGE,
      command: 'sh',
      args: [
        '-c',
        'n=0; until wget -q -O /dev/null http://cache:8080/ || [ $n -ge 100 ]; do n=$((n+1)); sleep 0.1; done; ' +
          'for h in cache redis-primary session-store; do ' +
          'echo "dns:$h:$(nslookup $h 2>/dev/null | awk \'/^Address/ { a = $2 } END { print a }\')"; ' +
          'echo "$h:$(wget -q -O - http://$h:8080/)"; done; echo "host:$(grep host.apphost.internal /etc/hosts)"',
      ],
      labels,
      network: { network: netName },
      extraHosts: { 'host.apphost.internal': network.gateway! },
    });
    const lines: string[] = [];
    await rt.logs(client.id, { onLine: (l) => lines.push(l.line) }).done;
    expect(lines, lines.join('\n')).toContain('cache:apphost test image');
    expect(lines).toContain('redis-primary:apphost test image');
    expect(lines).toContain('session-store:apphost test image');
    // nslookup (busybox's own resolver, against Docker's embedded DNS) gives the container's address.
    for (const h of ['cache', 'redis-primary', 'session-store']) expect(lines).toContain(`dns:${h}:${ip}`);
    expect(lines.find((l) => l.startsWith('host:'))).toContain(network.gateway!);
    expect((await rt.inspectContainer(client.id))?.exitCode).toBe(0);

    const attached = await rt.inspectNetwork(netName);
    expect(Object.keys(attached!.containers)).toEqual(expect.arrayContaining([cache.id]));
    expect(attached!.containers[cache.id]!.ip).toBe(ip);

    // A removal while containers are attached is refused; disconnect and it goes.
    const busy = await rt.removeNetwork(netName).catch((e: unknown) => e);
    expect(isContainerRuntimeError(busy, 'DOCKER_CONFLICT')).toBe(true);
    await rt.disconnectNetwork(netName, cache.id, { force: true });
    await rt.disconnectNetwork(netName, cache.id); // not connected: no error
    await rt.connectNetwork(netName, cache.id, { aliases: ['late-alias'] });
    expect((await rt.inspectContainer(cache.id))?.networks[netName]?.aliases).toContain('late-alias');
    await rt.removeContainer(cache.id, { force: true });
    await rt.removeContainer(client.id, { force: true });
    await rt.removeNetwork(netName);
    expect(await rt.inspectNetwork(netName)).toBeUndefined();
    await rt.removeNetwork(netName); // gone: no error
  });
});
