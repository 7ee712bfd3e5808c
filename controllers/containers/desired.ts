// What container a container Replica should have: image, command, env, published ports, volumes,
// network and aliases, labels and the lifecycle key. Pure: everything comes in as arguments.
import { isAbsolute, resolve } from 'node:path';
import { endpointObjectName, normalizeEndpoints } from '../../src/api/endpoints.ts';
import type { Endpoint, Lifetime, Replica, Resource } from '../../src/api/types.ts';
import { BASE_DIR_ANNOTATION } from '../../src/api/annotations.ts';
import { CONTAINER_DEV_CERTS_DIR, devCertificatePaths, devCertsDir } from '../../src/platform/tls/index.ts';
import type { PortBinding, RunContainerOptions, VolumeMount } from '../../src/platform/docker/index.ts';
import { LABELS } from './labels.ts';
import { lifecycleKey } from './naming.ts';

/** Host name a container uses to reach a process on the host (the container tunnel). */
export const HOST_TUNNEL_NAME = 'host.apphost.internal';
/** Annotation (set by the manifest loader) relative bind-mount sources resolve against. */

export interface DesiredContainer {
  /** Everything but the name (chosen by the controller). */
  options: Omit<RunContainerOptions, 'name'>;
  key: string;
  lifetime: Lifetime;
  env: { name: string; value: string }[];
  /** Replica endpoint name -> container port. */
  portsByName: { name: string; targetPort: number; protocol: 'tcp' | 'udp' }[];
}

export type DesiredResult =
  | { ok: true; desired: DesiredContainer }
  | { ok: false; reason: 'WaitingForPort' | 'InvalidSpec'; message: string };

export function imageReference(image: string, tag?: string): string {
  if (!tag) return image;
  if (image.includes('@')) return image;
  return `${image}:${tag}`;
}

export function effectiveContainerEnv(rep: Replica, res: Resource): { name: string; value: string }[] {
  const own = [
    { name: 'APPHOST_RESOURCE', value: res.metadata.name },
    { name: 'APPHOST_REPLICA', value: rep.metadata.name },
  ];
  const given = rep.spec.env ?? [];
  return [...given, ...own.filter((o) => !given.some((g) => g.name === o.name))];
}

export function desiredContainer(options: {
  rep: Replica;
  res: Resource;
  /** Endpoint objects of the resource, by object name (for allocated proxyless ports). */
  endpoints: Map<string, Endpoint>;
  network: { runtimeName: string; gateway?: string };
  baseDir: string;
  labels: Record<string, string>;
}): DesiredResult {
  const { rep, res, network } = options;
  const spec = res.spec.container!;
  const lifetime: Lifetime = res.spec.lifetime ?? 'Session';
  const endpoints = normalizeEndpoints(res.spec);
  const wanted = rep.spec.ports?.length
    ? rep.spec.ports
    : endpoints.filter((e) => e.targetPort !== undefined).map((e) => ({ name: e.name, targetPort: e.targetPort! }));

  const ports: PortBinding[] = [];
  const portsByName: DesiredContainer['portsByName'] = [];
  for (const p of wanted) {
    const ep = endpoints.find((e) => e.name.toLowerCase() === p.name.toLowerCase());
    const protocol = ep?.protocol === 'UDP' ? 'udp' : 'tcp';
    if (!p.targetPort) {
      return { ok: false, reason: 'InvalidSpec', message: `endpoint "${p.name}" of container resource ${res.metadata.name} has no targetPort` };
    }
    let hostPort = 0;
    if (ep && !ep.isProxied) {
      const allocated = options.endpoints.get(endpointObjectName(res.metadata.name, ep.name))?.status?.port;
      const port = ep.port ?? allocated;
      if (!port) return { ok: false, reason: 'WaitingForPort', message: `waiting for a port for proxyless endpoint "${ep.name}"` };
      hostPort = port;
    }
    ports.push({ containerPort: p.targetPort, protocol, hostPort, hostIp: '127.0.0.1' });
    portsByName.push({ name: p.name, targetPort: p.targetPort, protocol });
  }

  const base = res.metadata.annotations?.[BASE_DIR_ANNOTATION] ?? options.baseDir;
  const volumes: VolumeMount[] = (spec.volumes ?? []).map((v) => {
    const bind = v.type === 'bind' || (v.type === undefined && !!v.source && /^[./~]/.test(v.source));
    const source = bind && v.source && !isAbsolute(v.source) ? resolve(base, v.source) : v.source;
    return { target: v.target, type: bind ? 'bind' : 'volume', ...(source ? { source } : {}), ...(v.readOnly ? { readOnly: true } : {}) };
  });

  // The replicas controller pointed TLS variables at the development certificates: mount those
  // files read-only (not the folder: the CA's key stays on the host).
  const host = devCertificatePaths(devCertsDir());
  const inside = devCertificatePaths(CONTAINER_DEV_CERTS_DIR);
  for (const file of ['caCert', 'bundle', 'cert', 'key'] as const) {
    if (rep.spec.env?.some((e) => e.value === inside[file]) && !volumes.some((v) => v.target === inside[file])) {
      volumes.push({ source: host[file], target: inside[file], type: 'bind', readOnly: true });
    }
  }
  const env = effectiveContainerEnv(rep, res);
  const envRecord = Object.fromEntries(env.map((e) => [e.name, e.value]));
  const aliases = [...new Set([res.metadata.name, ...(spec.networkAliases ?? [])])];
  const extraHosts: Record<string, string> = network.gateway ? { [HOST_TUNNEL_NAME]: network.gateway } : {};
  const image = imageReference(spec.image, spec.tag);
  const key = lifecycleKey({
    image,
    command: spec.command,
    args: spec.args,
    env: envRecord,
    ports: ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, ...(p.hostPort ? { hostPort: p.hostPort } : {}) })),
    volumes,
    network: network.runtimeName,
    aliases,
    extraHosts,
  });
  return {
    ok: true,
    desired: {
      key,
      lifetime,
      env,
      portsByName,
      options: {
        image,
        ...(spec.command !== undefined ? { command: spec.command } : {}),
        ...(spec.args !== undefined ? { args: spec.args } : {}),
        env: envRecord,
        ports,
        volumes,
        network: { network: network.runtimeName, aliases },
        extraHosts,
        labels: {
          ...options.labels,
          [LABELS.namespace]: rep.metadata.namespace ?? 'default',
          [LABELS.resource]: res.metadata.name,
          [LABELS.replica]: rep.metadata.name,
          [LABELS.lifetime]: lifetime,
          [LABELS.lifecycleKey]: key,
        },
      },
    },
  };
}
