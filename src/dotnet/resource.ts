// The controllers' entry points for `spec.executable.launchProfile` (a .NET project in a manifest):
// - endpoints controller: `effectiveEndpoints(res)` instead of `res.spec.endpoints`;
// - replicas controller: `launchProfileEnv(res, targetPorts)` appended to a replica's env.
// Both are pure apart from reading the project's JSON files.
import { isAbsolute, resolve } from 'node:path';
import type { EndpointSpec, EnvVar, Resource } from '../api/types.ts';
import { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
import { deriveProjectEndpoints, mergeEndpoints, projectEnvironment, type ProjectEndpoints } from './project-endpoints.ts';


export interface ResourceProjectOptions {
  /** Where a relative workingDir resolves when the Resource has no apphost.dev/base-dir annotation. */
  baseDir?: string;
  /** Environment for DOTNET_LAUNCH_PROFILE / ASPNETCORE_ENVIRONMENT; default: the Resource's plain env values. */
  env?: Record<string, string | undefined>;
}

/** The derivation for a Resource with `spec.executable.launchProfile`, else undefined. */
export function projectEndpointsFor(res: Resource, options: ResourceProjectOptions = {}): ProjectEndpoints | undefined {
  const exe = res.spec?.executable;
  if (!exe?.launchProfile) return undefined;
  const base = res.metadata.annotations?.[BASE_DIR_ANNOTATION] ?? options.baseDir ?? process.cwd();
  const wd = exe.workingDir ?? '.';
  const project = isAbsolute(wd) ? wd : resolve(base, wd);
  const env =
    options.env ??
    Object.fromEntries((res.spec.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  return deriveProjectEndpoints({ project, launchProfile: exe.launchProfile, env });
}

/** spec.endpoints plus those the launch profile / Kestrel configuration define (spec wins by name). */
export function effectiveEndpoints(res: Resource, options: ResourceProjectOptions = {}): EndpointSpec[] {
  const derived = projectEndpointsFor(res, options);
  return derived ? mergeEndpoints(res.spec.endpoints, derived.endpoints) : [...(res.spec.endpoints ?? [])];
}

/**
 * Variables telling a replica where to listen (ASPNETCORE_URLS or Kestrel__Endpoints__<n>__Url) and
 * the launch profile's environmentVariables. `targetPorts`: endpoint name -> the replica's port.
 */
export function launchProfileEnv(res: Resource, targetPorts: Record<string, number>, options: ResourceProjectOptions = {}): EnvVar[] {
  const derived = projectEndpointsFor(res, options);
  return derived ? projectEnvironment(derived, { targetPorts }) : [];
}
