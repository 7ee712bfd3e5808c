// Docker Compose: compose.yaml with one service per Resource on one network (with the network
// aliases), ports for external endpoints, depends_on from waitFor, healthcheck from healthCheck,
// named volumes, and env whose discovery values name the Compose services. Secret-looking values go
// to .env (empty, to be filled in, unless --include-secrets); compose refuses to start without them.
import type { WaitCondition } from '../api/types.ts';
import { buildCommand, dockerfilePath, nodeDockerfile } from './dockerfile.ts';
import { COMPOSE_ADDRESSING, exportEnv } from './env.ts';
import { resourceNamed, type ExportHealth, type ExportModel, type ExportResource } from './model.ts';
import type { ExportFile, ExportResult, WriterOptions } from './output.ts';
import { toYaml, uniqueNotes } from './output.ts';
import { relative } from 'node:path';

/** The one network every service joins (Compose names it `<project>_apphost`). */
export const COMPOSE_NETWORK = 'apphost';

const DEFAULT_INTERVAL_SECONDS = 5;
const DEFAULT_TIMEOUT_SECONDS = 3;
const HEALTH_RETRIES = 12;

type Service = Record<string, unknown>;

export function composeExport(model: ExportModel, options: WriterOptions & { outDir: string }): ExportResult {
  const notes = [...model.notes];
  const dotEnv: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  const needsHealth = new Set(model.resources.flatMap((r) => r.waitFor.filter((w) => w.condition === 'Healthy').map((w) => w.resource)));
  const services: Record<string, Service> = {};
  const files: ExportFile[] = [];
  const next: string[] = [];
  for (const r of model.resources) {
    const s: Service = { image: r.image };
    if (r.generated) {
      s.build = { context: r.generated.context, dockerfile: relative(r.generated.context, `${options.outDir}/${dockerfilePath(r)}`) };
      files.push({ path: dockerfilePath(r), content: nodeDockerfile(r, r.generated) });
      notes.push(`resource "${r.name}" has no image: compose builds ${r.image} from ${dockerfilePath(r)} (or: ${buildCommand(r, r.generated)})`);
    }
    // Compose interpolates `$` everywhere, commands included: literal ones are doubled.
    if (r.command) s.entrypoint = r.command.map(escapeDollars);
    if (r.args) s.command = r.args.map(escapeDollars);
    const env = exportEnv(model, r, COMPOSE_ADDRESSING, notes);
    if (env.length) {
      const environment: Record<string, string> = {};
      for (const v of env) {
        if (!v.secret) {
          environment[v.name] = escapeDollars(v.value);
          continue;
        }
        const key = dotEnvKey(r.name, v.name);
        environment[v.name] = `\${${key}:?set ${key} in .env}`;
        dotEnv.push(...dotEnvEntry(r.name, v.name, key, options.includeSecrets ? v.value : ''));
      }
      s.environment = environment;
    }
    const ports = publishedPorts(r, notes);
    if (ports.length) s.ports = ports;
    const internal = r.ports.filter((p) => !p.isExternal).map((p) => `${p.containerPort}${p.protocol === 'UDP' ? '/udp' : ''}`);
    if (internal.length) s.expose = internal;
    s.networks = { [COMPOSE_NETWORK]: r.aliases.length ? { aliases: r.aliases } : {} };
    const dependsOn = dependencies(model, r, notes);
    if (Object.keys(dependsOn).length) s.depends_on = dependsOn;
    if (r.health && (r.health.explicit || needsHealth.has(r.name))) {
      s.healthcheck = healthcheck(r, r.health);
      if (!r.health.explicit) notes.push(`resource "${r.name}": its compose healthcheck (tcp on ${r.health.port.containerPort}) needs nc in the image`);
    }
    const mounts = r.volumes.map((v) => {
      if (v.kind === 'named') volumes[v.source!] = {};
      const spec = v.kind === 'anonymous' ? v.target : `${v.source}:${v.target}`;
      return v.readOnly ? `${spec}:ro` : spec;
    });
    if (mounts.length) s.volumes = mounts;
    if (r.replicas !== 1) s.deploy = { replicas: r.replicas };
    s.restart = r.restartPolicy === 'Never' ? 'no' : r.restartPolicy === 'Always' ? 'always' : 'on-failure';
    if (r.stopGracePeriodSeconds !== undefined) s.stop_grace_period = `${r.stopGracePeriodSeconds}s`;
    services[r.name] = s;
  }
  const doc: Record<string, unknown> = { services, networks: { [COMPOSE_NETWORK]: {} } };
  if (Object.keys(volumes).length) doc.volumes = volumes;
  const header = `# ${model.app}: exported by apphostctl export compose. Run: docker compose up (or docker-compose up)\n`;
  files.unshift({ path: 'compose.yaml', content: header + toYaml(doc) });
  if (dotEnv.length) {
    files.push({ path: '.env', content: `# Secret values for compose.yaml (compose refuses to start while one is empty).\n${dotEnv.join('\n')}\n` });
    if (!options.includeSecrets) notes.push('secret-looking values were left out: fill them in .env (or export with --include-secrets)');
  }
  next.push(`cd ${options.outDir} && docker compose -p ${model.app} up`);
  return { files, notes: uniqueNotes(notes), next };
}

/** `$` starts an interpolation in compose files; a literal one is `$$`. */
function escapeDollars(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

function dotEnvKey(resource: string, name: string): string {
  return `${resource}_${name}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

function dotEnvEntry(resource: string, name: string, key: string, value: string): string[] {
  if (/[\r\n]/.test(value)) return [`# ${resource} ${name}: a multi-line value cannot be written to .env; set ${key} in the environment`, `${key}=`];
  return [`# ${resource}: ${name}`, `${key}=${value}`];
}

function publishedPorts(r: ExportResource, notes: string[]): string[] {
  const external = r.ports.filter((p) => p.isExternal);
  if (external.length && r.replicas > 1) {
    notes.push(`resource "${r.name}" has ${r.replicas} replicas: its external ports are published on ports Docker chooses (one host port cannot serve several containers)`);
  }
  return external.map((p) => {
    const suffix = p.protocol === 'UDP' ? '/udp' : '';
    return r.replicas > 1 ? `${p.containerPort}${suffix}` : `${p.servicePort}:${p.containerPort}${suffix}`;
  });
}

const CONDITIONS: Record<WaitCondition, string> = {
  Running: 'service_started',
  Healthy: 'service_healthy',
  Completed: 'service_completed_successfully',
};

function dependencies(model: ExportModel, r: ExportResource, notes: string[]): Record<string, { condition: string }> {
  const out: Record<string, { condition: string }> = {};
  for (const w of r.waitFor) {
    let condition = CONDITIONS[w.condition];
    if (w.condition === 'Healthy' && !resourceNamed(model, w.resource).health) {
      notes.push(`resource "${r.name}" waits for "${w.resource}" to be healthy, which has no endpoint to check: it waits for it to start`);
      condition = CONDITIONS.Running;
    }
    out[w.resource] = { condition };
  }
  return out;
}

/** A check that runs inside the container: node for generated Node images, else wget/curl or nc. */
function healthcheck(r: ExportResource, h: ExportHealth): Record<string, unknown> {
  const port = h.port.containerPort;
  const url = `http://127.0.0.1:${port}${h.path}`;
  let test: string[];
  if (r.generated) {
    const js =
      h.type === 'http'
        ? `fetch(${JSON.stringify(url)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`
        : `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
    test = ['CMD', 'node', '-e', js];
  } else if (h.type === 'http') {
    test = ['CMD-SHELL', `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url}`];
  } else {
    test = ['CMD-SHELL', `nc -z 127.0.0.1 ${port}`];
  }
  return {
    test: test.map(escapeDollars),
    interval: `${h.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS}s`,
    timeout: `${h.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS}s`,
    retries: HEALTH_RETRIES,
  };
}
