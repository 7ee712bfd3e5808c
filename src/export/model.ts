// The export model: the app's Resources as a distributed engine needs them, independent of the
// target. Ports become fixed (an executable's env-assigned port gets 8080, 8081, ...), every
// resource gets an image (or a generated Node Dockerfile), waits, probes and volumes are resolved.
// Kubernetes and Compose writers read only this model; the env each target injects is in env.ts.
import { basename, isAbsolute, resolve } from 'node:path';
import type { EnvVar, Protocol, Resource, RestartPolicy, WaitCondition } from '../api/types.ts';
import { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
import { normalizeEndpoint } from '../api/endpoints.ts';
import { effectiveEndpoints } from '../dotnet/index.ts';
import { ExportError } from './errors.ts';

/** First fixed container port given to an executable endpoint whose port came from `env`. */
export const FIRST_ASSIGNED_PORT = 8080;

export interface ExportPort {
  /** The apphost endpoint name. */
  endpoint: string;
  /** A valid Kubernetes port name (IANA_SVC_NAME: at most 15 characters, lower case). */
  portName: string;
  scheme: string;
  protocol: Protocol;
  /** Where the app listens in its container. */
  containerPort: number;
  /** What clients use: the endpoint's `port` when it had one, else the container port. */
  servicePort: number;
  isExternal: boolean;
  excludeFromReferences: boolean;
  /** Variable that receives the container port (e.g. PORT). */
  env?: string;
  /** True when apphost would have chosen the port per replica (an executable with `env`). */
  assigned: boolean;
}

export interface ExportVolume {
  kind: 'named' | 'anonymous' | 'bind';
  /** Volume name (named) or absolute host path (bind). */
  source?: string;
  target: string;
  readOnly: boolean;
}

export interface ExportHealth {
  type: 'http' | 'tcp';
  port: ExportPort;
  path: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  /** False for the default readiness check apphost applies without a healthCheck (tcp on the first endpoint). */
  explicit: boolean;
}

export interface GeneratedImage {
  /** Absolute folder the image is built from (the app's working directory). */
  context: string;
  /** The command the image runs (CMD). */
  cmd: string[];
}

export interface ExportResource {
  name: string;
  type: 'executable' | 'container';
  image: string;
  /** Set when apphost writes a Dockerfile for this resource (a Node app without an image). */
  generated?: GeneratedImage;
  /** Containers only: entrypoint override and arguments. Executables run their image's own. */
  command?: string[];
  args?: string[];
  replicas: number;
  persistent: boolean;
  /** Runs to completion (restartPolicy Never, or another resource waits for it to complete). */
  job: boolean;
  restartPolicy: RestartPolicy;
  stopGracePeriodSeconds?: number;
  ports: ExportPort[];
  env: EnvVar[];
  references: { resource: string; endpoint?: string }[];
  waitFor: { resource: string; condition: WaitCondition }[];
  health?: ExportHealth;
  volumes: ExportVolume[];
  aliases: string[];
  /** The source Resource (for the .NET launch-profile env). */
  source: Resource;
}

export interface ExportModel {
  app: string;
  resources: ExportResource[];
  /** What could not be carried over as it is, one sentence each. */
  notes: string[];
}

export interface ModelOptions {
  app: string;
  /** `--image NAME=IMAGE`: resource name -> image. */
  images?: Readonly<Record<string, string>>;
  /** `--registry PREFIX` for images apphost generates a Dockerfile for. */
  registry?: string;
}

/** Builds the model, or throws an ExportError naming the resource and what to pass. */
export function buildModel(objects: readonly { kind: string }[], options: ModelOptions): ExportModel {
  const resources = objects.filter((o): o is Resource => o.kind === 'Resource');
  const notes: string[] = [];
  const skipped = [...new Set(objects.filter((o) => o.kind !== 'Resource').map((o) => o.kind))];
  if (skipped.length) notes.push(`only Resources are exported; ${skipped.join(', ')} objects were skipped`);
  if (resources.length === 0) throw new ExportError('EXPORT_NO_RESOURCES', 'the input has no Resource to export');
  const names = new Set(resources.map((r) => r.metadata.name));
  for (const name of Object.keys(options.images ?? {})) {
    if (!names.has(name)) {
      throw new ExportError('EXPORT_UNKNOWN_RESOURCE', `--image ${name}=...: there is no resource "${name}" (resources: ${[...names].join(', ')})`);
    }
  }
  const completedBy = new Set(resources.flatMap((r) => (r.spec.waitFor ?? []).filter((w) => w.condition === 'Completed').map((w) => w.resource)));
  const missing: ExportResource[] = [];
  const out = resources.map((r) => {
    const res = toExportResource(r, options, completedBy.has(r.metadata.name), notes);
    if (!res.image) missing.push(res);
    return res;
  });
  if (missing.length) throw noImageError(missing);
  if (out.some((r) => r.ports.length) && !out.some((r) => r.ports.some((p) => p.isExternal))) {
    notes.push('no endpoint is marked isExternal, so nothing is reachable from outside: mark the entry points with isExternal: true (withHttpEndpoint({ isExternal: true }))');
  }
  for (const r of out) {
    for (const w of r.waitFor) {
      if (!names.has(w.resource)) throw new ExportError('EXPORT_UNKNOWN_RESOURCE', `resource "${r.name}" waits for unknown resource "${w.resource}"`);
    }
    for (const ref of r.references) {
      if (!names.has(ref.resource)) throw new ExportError('EXPORT_UNKNOWN_RESOURCE', `resource "${r.name}" references unknown resource "${ref.resource}"`);
    }
  }
  return { app: options.app, resources: out, notes };
}

function noImageError(missing: ExportResource[]): ExportError {
  const list = missing.map((r) => `"${r.name}" (${describeCommand(r.source)})`).join(', ');
  const flags = missing.map((r) => `--image ${r.name}=IMAGE`).join(' ');
  const what = missing.length === 1 ? `executable ${list} has` : `executables ${list} have`;
  return new ExportError(
    'EXPORT_NO_IMAGE',
    `${what} no container image: pass ${flags}, or set it in the apphost file with withImage('registry/name:tag') (spec.executable.image)`,
  );
}

function describeCommand(r: Resource): string {
  const e = r.spec.executable;
  return e ? [e.command, ...(e.args ?? [])].join(' ') : (r.spec.container?.image ?? '');
}

function toExportResource(r: Resource, options: ModelOptions, waitedToComplete: boolean, notes: string[]): ExportResource {
  const name = r.metadata.name;
  const spec = r.spec;
  const type = spec.container ? 'container' : 'executable';
  const baseDir = r.metadata.annotations?.[BASE_DIR_ANNOTATION] ?? process.cwd();
  const restartPolicy = spec.restartPolicy ?? 'OnFailure';
  const res: ExportResource = {
    name,
    type,
    image: '',
    replicas: spec.replicas ?? 1,
    persistent: spec.lifetime === 'Persistent',
    job: restartPolicy === 'Never' || waitedToComplete,
    restartPolicy,
    ports: exportPorts(r, notes),
    env: [...(spec.env ?? [])],
    references: [...(spec.references ?? [])],
    waitFor: (spec.waitFor ?? []).map((w) => ({ resource: w.resource, condition: w.condition ?? 'Running' })),
    volumes: [],
    aliases: [...(spec.container?.networkAliases ?? [])],
    source: r,
  };
  if (spec.stopGracePeriodSeconds !== undefined) res.stopGracePeriodSeconds = spec.stopGracePeriodSeconds;
  if (spec.stopped) notes.push(`resource "${name}" is stopped locally; it is exported with ${res.replicas} replica(s)`);
  const override = options.images?.[name];
  if (spec.container) {
    const c = spec.container;
    res.image = override ?? imageWithTag(c.image, c.tag);
    if (c.command) res.command = [c.command];
    if (c.args?.length) res.args = [...c.args];
    res.volumes = (c.volumes ?? []).map((v) => exportVolume(v, baseDir));
  } else {
    const e = spec.executable!;
    res.image = override ?? e.image ?? '';
    if (!res.image && basename(e.command) === 'node') {
      res.generated = { context: resolveDir(baseDir, e.workingDir), cmd: ['node', ...(e.args ?? [])] };
      res.image = `${options.registry ? options.registry.replace(/\/+$/, '') : options.app}/${name}:latest`;
    }
  }
  res.health = exportHealth(r, res.ports);
  return res;
}

function imageWithTag(image: string, tag: string | undefined): string {
  if (!tag) return image;
  return `${image}:${tag}`;
}

function resolveDir(baseDir: string, dir: string | undefined): string {
  if (!dir) return baseDir;
  return isAbsolute(dir) ? dir : resolve(baseDir, dir);
}

function exportVolume(v: { source?: string; target: string; readOnly?: boolean; type?: 'bind' | 'volume' }, baseDir: string): ExportVolume {
  const readOnly = v.readOnly ?? false;
  if (!v.source) return { kind: 'anonymous', target: v.target, readOnly };
  const bind = v.type === 'bind' || (v.type === undefined && /^[./~]/.test(v.source));
  if (bind) return { kind: 'bind', source: resolveDir(baseDir, v.source), target: v.target, readOnly };
  return { kind: 'named', source: v.source, target: v.target, readOnly };
}

/** Endpoints with fixed ports: targetPort if given, else (executables) 8080, 8081, ... */
function exportPorts(r: Resource, notes: string[]): ExportPort[] {
  const endpoints = effectiveEndpoints(r).map((e) => normalizeEndpoint(e, { lifetime: r.spec.lifetime }));
  const taken = new Set(endpoints.map((e) => e.targetPort).filter((p): p is number => p !== undefined && p > 0));
  let next = FIRST_ASSIGNED_PORT;
  const portNames = new Set<string>();
  return endpoints.map((ep) => {
    let containerPort = ep.targetPort;
    const assigned = containerPort === undefined || containerPort === 0;
    if (assigned) {
      if (r.spec.container) {
        throw new ExportError('EXPORT_INVALID', `resource "${r.metadata.name}", endpoint "${ep.name}": a container endpoint needs targetPort (the port it listens on in the container)`);
      }
      while (taken.has(next)) next++;
      containerPort = next;
      taken.add(next);
      // A .NET project is told where to listen by its launch-profile variables (env.ts).
      if (!ep.env && !r.spec.executable?.launchProfile) {
        notes.push(`resource "${r.metadata.name}", endpoint "${ep.name}" has no env variable for its port: the app must listen on ${containerPort}`);
      }
    }
    const out: ExportPort = {
      endpoint: ep.name,
      portName: uniquePortName(ep.name, portNames),
      scheme: ep.scheme,
      protocol: ep.protocol,
      containerPort: containerPort!,
      servicePort: ep.port !== undefined && ep.port > 0 ? ep.port : containerPort!,
      isExternal: ep.isExternal,
      excludeFromReferences: ep.excludeFromReferences,
      assigned,
    };
    if (ep.env) out.env = ep.env;
    return out;
  });
}

/** Kubernetes port names: lower case, letters, digits and '-', at most 15, at least one letter. */
function uniquePortName(endpoint: string, used: Set<string>): string {
  let base = endpoint.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (!/[a-z]/.test(base)) base = `p${base}`;
  base = base.slice(0, 15).replace(/-$/, '');
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 15 - String(i).length - 1)}-${i}`;
  used.add(name);
  return name;
}

/** The healthCheck (http on an endpoint, or tcp), else tcp on the first TCP endpoint as apphost probes. */
function exportHealth(r: Resource, ports: ExportPort[]): ExportHealth | undefined {
  const hc = r.spec.healthCheck;
  const port = hc?.endpoint ? ports.find((p) => p.endpoint === hc.endpoint) : ports.find((p) => p.protocol === 'TCP');
  if (!port) return undefined;
  const http = hc?.type === 'http' || (hc?.type === undefined && hc?.path !== undefined);
  const path = hc?.path ? (hc.path.startsWith('/') ? hc.path : `/${hc.path}`) : '/';
  const out: ExportHealth = { type: http ? 'http' : 'tcp', port, path, explicit: hc !== undefined };
  if (hc?.intervalSeconds !== undefined) out.intervalSeconds = hc.intervalSeconds;
  if (hc?.timeoutSeconds !== undefined) out.timeoutSeconds = hc.timeoutSeconds;
  return out;
}

/** The resource called `name` (the model was checked: references and waits name existing ones). */
export function resourceNamed(model: ExportModel, name: string): ExportResource {
  const r = model.resources.find((x) => x.name === name);
  if (!r) throw new ExportError('EXPORT_UNKNOWN_RESOURCE', `unknown resource "${name}"`);
  return r;
}
