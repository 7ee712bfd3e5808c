// Endpoints of a .NET project (DESIGN.md section 1), for `addProject` in the builder and for
// `spec.executable.launchProfile: {file, name}` in manifests (the endpoints controller derives,
// the replicas controller injects the listen URLs).
//
// Order of precedence: Kestrel:Endpoints in appsettings.json win (launch profile URLs are then
// ignored, with a warning); else the chosen launch profile's applicationUrl; else no endpoints.
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { EndpointSpec, EnvVar, LaunchProfileRef } from '../api/types.ts';
import { endpointsFromUrls, splitApplicationUrl } from './application-url.ts';
import { readKestrelEndpoints } from './kestrel.ts';
import { readLaunchSettings, selectLaunchProfile } from './launch-settings.ts';

export interface DeriveProjectEndpointsOptions {
  /**
   * The project: its folder, or its .csproj/.fsproj file. Relative paths resolve against `cwd`.
   */
  project: string;
  /** `spec.executable.launchProfile`: file (relative to the project folder) and profile name. */
  launchProfile?: LaunchProfileRef;
  /** The resource's environment (DOTNET_LAUNCH_PROFILE, ASPNETCORE_ENVIRONMENT). */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** How the app learns where to listen for one endpoint. */
export interface EndpointBinding {
  endpoint: string;
  scheme: string;
  /** Set for Kestrel endpoints: the app gets `Kestrel__Endpoints__<kestrelName>__Url`. */
  kestrelName?: string;
}

export interface ProjectEndpoints {
  source: 'kestrel' | 'launchProfile' | 'none';
  projectDir: string;
  launchSettingsFile: string;
  /** The launch profile chosen, if any (its environment applies even when Kestrel wins). */
  profile?: string;
  endpoints: EndpointSpec[];
  bindings: EndpointBinding[];
  /** The profile's environmentVariables. */
  environment: Record<string, string>;
  warnings: string[];
}

export function projectDirOf(project: string, cwd = process.cwd()): string {
  const abs = isAbsolute(project) ? project : resolve(cwd, project);
  return /\.(cs|fs|vb)proj$/i.test(extname(abs)) ? dirname(abs) : abs;
}

export function deriveProjectEndpoints(options: DeriveProjectEndpointsOptions): ProjectEndpoints {
  const projectDir = projectDirOf(options.project, options.cwd);
  const file = options.launchProfile?.file;
  const launchSettingsFile = file
    ? isAbsolute(file)
      ? file
      : join(projectDir, file)
    : join(projectDir, 'Properties', 'launchSettings.json');
  const env = options.env ?? {};
  const warnings: string[] = [];

  const settings = readLaunchSettings(launchSettingsFile);
  const selected = settings
    ? selectLaunchProfile(settings, { name: options.launchProfile?.name, env, file: launchSettingsFile })
    : undefined;
  if (!settings && options.launchProfile?.name) {
    warnings.push(`launch profile "${options.launchProfile.name}" requested but ${launchSettingsFile} does not exist`);
  }
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(selected?.profile.environmentVariables ?? {})) {
    if (typeof v === 'string') environment[k] = v;
  }

  const aspnetEnv =
    env.ASPNETCORE_ENVIRONMENT ?? environment.ASPNETCORE_ENVIRONMENT ?? env.DOTNET_ENVIRONMENT ?? environment.DOTNET_ENVIRONMENT;
  const kestrel = readKestrelEndpoints(projectDir, aspnetEnv);
  const base = { projectDir, launchSettingsFile, environment, warnings };
  const profile = selected ? { profile: selected.name } : {};

  if (kestrel.length > 0) {
    if (selected?.profile.applicationUrl) {
      warnings.push(
        `${basename(projectDir)}: Kestrel:Endpoints in appsettings.json are used; the applicationUrl of launch profile "${selected.name}" is ignored`,
      );
    }
    return {
      ...base,
      ...profile,
      source: 'kestrel',
      endpoints: kestrel.map((k) => k.endpoint),
      bindings: kestrel.map((k) => ({ endpoint: k.endpoint.name!, scheme: k.endpoint.scheme!, kestrelName: k.kestrelName })),
    };
  }
  const urls = selected?.profile.applicationUrl ? splitApplicationUrl(selected.profile.applicationUrl) : [];
  if (urls.length === 0) {
    return { ...base, ...profile, source: 'none', endpoints: [], bindings: [] };
  }
  const endpoints = endpointsFromUrls(urls);
  return {
    ...base,
    ...profile,
    source: 'launchProfile',
    endpoints,
    bindings: endpoints.map((e) => ({ endpoint: e.name!, scheme: e.scheme! })),
  };
}

export interface ProjectEnvironmentOptions {
  /** Where each endpoint's replica listens: endpoint name -> target port. */
  targetPorts: Record<string, number>;
  /** Host in the listen URLs (default `localhost`). */
  host?: string;
}

/**
 * The variables a replica of the project needs: the profile's environmentVariables, then either
 * `Kestrel__Endpoints__<name>__Url` per Kestrel endpoint or one `ASPNETCORE_URLS` listing every
 * launch-profile endpoint. Endpoints without a target port are left out.
 */
export function projectEnvironment(derived: ProjectEndpoints, options: ProjectEnvironmentOptions): EnvVar[] {
  const host = options.host ?? 'localhost';
  const out: EnvVar[] = Object.entries(derived.environment).map(([name, value]) => ({ name, value }));
  const bound = derived.bindings.filter((b) => options.targetPorts[b.endpoint] !== undefined);
  if (derived.source === 'kestrel') {
    for (const b of bound) {
      out.push({
        name: `Kestrel__Endpoints__${b.kestrelName}__Url`,
        value: `${b.scheme}://${host}:${options.targetPorts[b.endpoint]}`,
      });
    }
  } else if (derived.source === 'launchProfile' && bound.length > 0) {
    out.push({
      name: 'ASPNETCORE_URLS',
      value: bound.map((b) => `${b.scheme}://${host}:${options.targetPorts[b.endpoint]}`).join(';'),
    });
  }
  return out;
}

/**
 * Explicit endpoints (from the spec) win over derived ones of the same name; derived endpoints
 * not mentioned are appended. Use in the endpoints controller for `spec.executable.launchProfile`.
 */
export function mergeEndpoints(explicit: EndpointSpec[] | undefined, derived: EndpointSpec[]): EndpointSpec[] {
  const out = [...(explicit ?? [])];
  const names = new Set(out.map((e) => e.name ?? e.scheme ?? (e.protocol ?? 'tcp').toLowerCase()));
  for (const d of derived) if (!names.has(d.name!)) out.push(d);
  return out;
}
