// ContainerRuntime on the real Docker Engine API, through dockerode.
import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { createTurnBudget } from '../logs/index.ts';
import { createLogDemuxer } from './log-demux.ts';
import { ContainerRuntimeError, DOCKER_UNAVAILABLE_MESSAGE, toContainerRuntimeError } from './errors.ts';
import type {
  ContainerEvent,
  ContainerInfo,
  ContainerRuntime,
  ContainerState,
  ContainerSummary,
  CreateNetworkOptions,
  EventSubscriptionOptions,
  LabelFilter,
  LogOptions,
  NetworkInfo,
  PortProtocol,
  RunContainerOptions,
  StopOptions,
  Subscription,
} from './types.ts';

export interface DockerRuntimeOptions {
  /** Unix socket; default from DOCKER_HOST (unix://...; tcp:// is handed to dockerode) or /var/run/docker.sock. */
  socketPath?: string;
  /** `missing`: pull an image that is not present locally (default); `never`: fail with DOCKER_IMAGE_NOT_FOUND. */
  pullPolicy?: 'missing' | 'never';
  /** Ping timeout. Default 3000 ms. */
  pingTimeoutMs?: number;
  logger?: Logger;
}

function defaultSocket(): string {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

function labelFilters(filter?: LabelFilter): string | undefined {
  return filter?.labels?.length ? JSON.stringify({ label: filter.labels }) : undefined;
}

function portKey(port: number, protocol: PortProtocol = 'tcp'): string {
  return `${port}/${protocol}`;
}

function ignore(err: unknown, ...statusCodes: number[]): void {
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== undefined && statusCodes.includes(status)) return;
  throw err;
}

function toContainerInfo(raw: Docker.ContainerInspectInfo): ContainerInfo {
  const ports: ContainerInfo['ports'] = [];
  for (const [key, bindings] of Object.entries(raw.NetworkSettings?.Ports ?? {})) {
    const [p, proto] = key.split('/');
    for (const b of bindings ?? []) {
      ports.push({
        containerPort: Number(p),
        protocol: (proto as PortProtocol) ?? 'tcp',
        hostIp: b.HostIp,
        hostPort: Number(b.HostPort),
      });
    }
  }
  const networks: ContainerInfo['networks'] = {};
  for (const [name, n] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    networks[name] = { networkId: n.NetworkID, ip: n.IPAddress, aliases: n.Aliases ?? [] };
  }
  const state = raw.State;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    image: raw.Config?.Image ?? raw.Image,
    state: state.Status as ContainerState,
    running: state.Running,
    exitCode: state.ExitCode,
    ...(state.Error ? { error: state.Error } : {}),
    ...(state.StartedAt && !state.StartedAt.startsWith('0001') ? { startedAt: state.StartedAt } : {}),
    ...(state.FinishedAt && !state.FinishedAt.startsWith('0001') ? { finishedAt: state.FinishedAt } : {}),
    labels: raw.Config?.Labels ?? {},
    ports,
    networks,
  };
}

function toNetworkInfo(raw: Docker.NetworkInspectInfo): NetworkInfo {
  const ipam = raw.IPAM?.Config?.[0];
  const containers: NetworkInfo['containers'] = {};
  for (const [id, c] of Object.entries(raw.Containers ?? {})) {
    containers[id] = { name: c.Name, ip: (c.IPv4Address ?? '').replace(/\/\d+$/, '') };
  }
  return {
    id: raw.Id,
    name: raw.Name,
    driver: raw.Driver,
    ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
    ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
    labels: raw.Labels ?? {},
    containers,
  };
}

export function createDockerRuntime(options: DockerRuntimeOptions = {}): ContainerRuntime {
  // DOCKER_HOST=tcp://... (or ssh://): let dockerode read it (with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH).
  const remote = !options.socketPath && !!process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://');
  const socketPath = remote ? process.env.DOCKER_HOST! : (options.socketPath ?? defaultSocket());
  const docker = remote ? new Docker() : new Docker({ socketPath });
  const pullPolicy = options.pullPolicy ?? 'missing';
  const pingTimeoutMs = options.pingTimeoutMs ?? 3000;
  const log = options.logger;
  // Container output shares the event loop with the proxies: at most a turn's budget of it per
  // loop iteration, the log stream paused beyond that (see src/platform/logs/turn-budget.ts).
  const logBudget = createTurnBudget();

  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toContainerRuntimeError(err, what, socketPath);
    }
  };

  async function ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        docker.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('ping timed out'), { code: 'ETIMEDOUT' })), pingTimeoutMs);
        }),
      ]);
    } catch (err) {
      throw new ContainerRuntimeError('DOCKER_UNAVAILABLE', DOCKER_UNAVAILABLE_MESSAGE(socketPath), { cause: err });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function pull(image: string): Promise<void> {
    log?.info({ image }, 'pulling image');
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  async function inspectContainer(idOrName: string): Promise<ContainerInfo | undefined> {
    return wrap(`inspect container ${idOrName}`, async () => {
      try {
        return toContainerInfo(await docker.getContainer(idOrName).inspect());
      } catch (err) {
        ignore(err, 404);
        return undefined;
      }
    });
  }

  async function inspectNetwork(idOrName: string): Promise<NetworkInfo | undefined> {
    return wrap(`inspect network ${idOrName}`, async () => {
      try {
        return toNetworkInfo(await docker.getNetwork(idOrName).inspect());
      } catch (err) {
        ignore(err, 404);
        return undefined;
      }
    });
  }

  async function runContainer(o: RunContainerOptions): Promise<ContainerInfo> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of o.ports ?? []) {
      const key = portKey(p.containerPort, p.protocol);
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '127.0.0.1', HostPort: p.hostPort ? String(p.hostPort) : '' });
    }
    const binds: string[] = [];
    const mounts: Docker.MountSettings[] = [];
    for (const v of o.volumes ?? []) {
      if (v.source && (v.type ?? (v.source.startsWith('/') ? 'bind' : 'volume')) === 'bind') {
        binds.push(`${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`);
      } else {
        mounts.push({ Type: 'volume', Source: v.source ?? '', Target: v.target, ReadOnly: v.readOnly ?? false });
      }
    }
    const create: Docker.ContainerCreateOptions = {
      name: o.name,
      Image: o.image,
      Env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: o.labels ?? {},
      ExposedPorts: exposed,
      ...(o.command !== undefined ? { Entrypoint: [o.command] } : {}),
      ...(o.args !== undefined ? { Cmd: o.args } : {}),
      ...(o.workingDir ? { WorkingDir: o.workingDir } : {}),
      HostConfig: {
        PortBindings: bindings,
        Binds: binds,
        Mounts: mounts,
        ExtraHosts: Object.entries(o.extraHosts ?? {}).map(([h, ip]) => `${h}:${ip}`),
        ...(o.network ? { NetworkMode: o.network.network } : {}),
      },
      ...(o.network
        ? { NetworkingConfig: { EndpointsConfig: { [o.network.network]: { Aliases: o.network.aliases ?? [] } } } }
        : {}),
    };
    const container = await wrap(`create container ${o.name}`, async () => {
      try {
        return await docker.createContainer(create);
      } catch (err) {
        const e = toContainerRuntimeError(err, `create container ${o.name}`, socketPath);
        if (e.code !== 'DOCKER_IMAGE_NOT_FOUND') throw e;
        if (pullPolicy === 'never') {
          throw new ContainerRuntimeError('DOCKER_IMAGE_NOT_FOUND', `image ${o.image} is not present locally`, { cause: err });
        }
        try {
          await pull(o.image);
        } catch (pullErr) {
          throw new ContainerRuntimeError('DOCKER_IMAGE_NOT_FOUND', `image ${o.image} not found locally and could not be pulled: ${(pullErr as Error).message}`, { cause: pullErr });
        }
        return await docker.createContainer(create);
      }
    });
    if (!o.createOnly) {
      try {
        await wrap(`start container ${o.name}`, () => container.start());
      } catch (err) {
        // A container that cannot start (port taken, bad entrypoint) is not left behind.
        await container.remove({ force: true, v: true }).catch(() => undefined);
        throw err;
      }
    }
    const info = await inspectContainer(container.id);
    if (!info) throw new ContainerRuntimeError('DOCKER_NOT_FOUND', `container ${o.name} vanished right after creation`);
    return info;
  }

  function logs(id: string, o: LogOptions): Subscription {
    const follow = o.follow ?? true;
    let stream: NodeJS.ReadableStream | undefined;
    let closed = false;
    const demux = createLogDemuxer(o.onLine);
    const done = (async () => {
      try {
        const c = docker.getContainer(id);
        const base = { stdout: true, stderr: true, ...(o.since ? { since: o.since } : {}), ...(o.tail !== undefined ? { tail: o.tail } : {}) };
        if (!follow) {
          const buf = (await c.logs({ ...base, follow: false })) as unknown as Buffer;
          demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(buf));
          demux.end();
          return;
        }
        stream = (await c.logs({ ...base, follow: true })) as NodeJS.ReadableStream;
        if (closed) {
          (stream as unknown as { destroy(): void }).destroy();
          return;
        }
        await new Promise<void>((resolve) => {
          stream!.on('data', (chunk: Buffer) => {
            demux.push(chunk);
            logBudget.take(stream as Readable, chunk.length);
          });
          stream!.on('end', resolve);
          stream!.on('close', resolve);
          stream!.on('error', resolve);
        });
        demux.end();
      } catch (err) {
        log?.debug({ err, id }, 'log stream failed');
      }
    })();
    return {
      close() {
        closed = true;
        (stream as unknown as { destroy?(): void } | undefined)?.destroy?.();
      },
      done,
    };
  }

  function subscribeEvents(o: EventSubscriptionOptions): Subscription {
    let closed = false;
    let current: NodeJS.ReadableStream | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const filters: Record<string, string[]> = { type: ['container', 'network'] };
    if (o.labels?.length) filters.label = o.labels;

    const parse = (raw: Record<string, unknown>): ContainerEvent | undefined => {
      const type = String(raw.Type ?? '');
      if (type !== 'container' && type !== 'network') return undefined;
      const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
      const attrs = { ...(actor.Attributes ?? {}) };
      const exit = attrs.exitCode;
      const event: ContainerEvent = {
        type,
        // e.g. "exec_start: sh -c ..." -> "exec_start"
        action: String(raw.Action ?? raw.status ?? '').split(':')[0]!,
        id: actor.ID ?? String(raw.id ?? ''),
        ...(attrs.name ? { name: attrs.name } : {}),
        labels: attrs,
        ...(exit !== undefined ? { exitCode: Number(exit) } : {}),
        ...(type === 'network' && attrs.container ? { container: attrs.container } : {}),
        time: new Date(Number(raw.timeNano ?? 0) / 1e6 || Number(raw.time ?? 0) * 1000),
      };
      return event;
    };

    const done = (async () => {
      let backoff = 250;
      while (!closed) {
        try {
          const stream = await docker.getEvents({ filters } as Docker.GetEventsOptions);
          current = stream;
          if (closed) break;
          backoff = 250;
          o.onConnected?.();
          await new Promise<void>((resolve, reject) => {
            let buffer = '';
            stream.on('data', (chunk: Buffer) => {
              buffer += chunk.toString('utf8');
              let nl: number;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, nl).trim();
                buffer = buffer.slice(nl + 1);
                if (!line) continue;
                try {
                  const ev = parse(JSON.parse(line) as Record<string, unknown>);
                  if (ev) o.onEvent(ev);
                } catch (err) {
                  log?.warn({ err, line }, 'unparseable docker event');
                }
              }
            });
            stream.on('end', () => (closed ? resolve() : reject(new Error('docker event stream ended'))));
            stream.on('close', () => (closed ? resolve() : reject(new Error('docker event stream closed'))));
            stream.on('error', reject);
          });
        } catch (err) {
          if (closed) break;
          o.onError?.(toContainerRuntimeError(err, 'docker events', socketPath));
          await new Promise<void>((resolve) => {
            wake = resolve;
            retryTimer = setTimeout(resolve, backoff);
          });
          backoff = Math.min(backoff * 2, 5000);
        }
      }
    })();
    return {
      close() {
        closed = true;
        if (retryTimer) clearTimeout(retryTimer);
        wake?.();
        (current as unknown as { destroy?(): void } | undefined)?.destroy?.();
      },
      done,
    };
  }

  return {
    endpoint: socketPath,
    ping,
    async available() {
      try {
        await ping();
        return true;
      } catch {
        return false;
      }
    },
    runContainer,
    startContainer: (id) =>
      wrap(`start container ${id}`, async () => {
        try {
          await docker.getContainer(id).start();
        } catch (err) {
          ignore(err, 304);
        }
      }),
    inspectContainer,
    stopContainer: (id, o: StopOptions = {}) =>
      wrap(`stop container ${id}`, async () => {
        try {
          await docker.getContainer(id).stop({ t: o.graceSeconds ?? 10 });
        } catch (err) {
          ignore(err, 304, 404);
        }
      }),
    removeContainer: (id, o = {}) =>
      wrap(`remove container ${id}`, async () => {
        try {
          await docker.getContainer(id).remove({ force: o.force ?? false, v: true });
        } catch (err) {
          // 409: removal already in progress.
          if ((err as { statusCode?: number }).statusCode === 409 && /already in progress/.test(String((err as Error).message))) return;
          ignore(err, 404);
        }
      }),
    listContainers: (filter) =>
      wrap('list containers', async () => {
        const f = labelFilters(filter);
        const list = await docker.listContainers({ all: true, ...(f ? { filters: f } : {}) });
        return list.map(
          (c): ContainerSummary => ({
            id: c.Id,
            name: (c.Names[0] ?? '').replace(/^\//, ''),
            image: c.Image,
            state: c.State as ContainerState,
            labels: c.Labels ?? {},
          }),
        );
      }),
    logs,
    subscribeEvents,
    createNetwork: (o: CreateNetworkOptions) =>
      wrap(`create network ${o.name}`, async () => {
        const existing = await docker.listNetworks({ filters: JSON.stringify({ name: [o.name] }) });
        if (existing.some((n) => n.Name === o.name)) {
          throw new ContainerRuntimeError('DOCKER_CONFLICT', `create network ${o.name}: a network with this name already exists`, { statusCode: 409 });
        }
        const n = await docker.createNetwork({ Name: o.name, Driver: o.driver ?? 'bridge', Labels: o.labels ?? {}, CheckDuplicate: true });
        const info = await inspectNetwork(n.id);
        if (!info) throw new ContainerRuntimeError('DOCKER_NOT_FOUND', `network ${o.name} vanished right after creation`);
        return info;
      }),
    inspectNetwork,
    connectNetwork: (network, container, o = {}) =>
      wrap(`connect ${container} to network ${network}`, async () => {
        await docker.getNetwork(network).connect({ Container: container, EndpointConfig: { Aliases: o.aliases ?? [] } });
      }),
    disconnectNetwork: (network, container, o = {}) =>
      wrap(`disconnect ${container} from network ${network}`, async () => {
        try {
          await docker.getNetwork(network).disconnect({ Container: container, Force: o.force ?? false });
        } catch (err) {
          if (/is not connected/i.test(String((err as Error).message))) return;
          ignore(err, 404);
        }
      }),
    removeNetwork: (idOrName) =>
      wrap(`remove network ${idOrName}`, async () => {
        try {
          await docker.getNetwork(idOrName).remove();
        } catch (err) {
          ignore(err, 404);
        }
      }),
    listNetworks: (filter) =>
      wrap('list networks', async () => {
        const f = labelFilters(filter);
        const list = await docker.listNetworks(f ? { filters: f } : {});
        // The list endpoint leaves Containers empty: inspect each for the attachments.
        const infos = await Promise.all(list.map((n) => inspectNetwork(n.Id)));
        return infos.filter((n): n is NetworkInfo => n !== undefined);
      }),
  };
}
