export { deriveProjectEndpoints, projectEnvironment, mergeEndpoints, projectDirOf } from './project-endpoints.ts';
export type {
  DeriveProjectEndpointsOptions,
  EndpointBinding,
  ProjectEndpoints,
  ProjectEnvironmentOptions,
} from './project-endpoints.ts';
export { readLaunchSettings, selectLaunchProfile } from './launch-settings.ts';
export type { LaunchProfile, LaunchSettings, SelectedProfile } from './launch-settings.ts';
export { readKestrelEndpoints, kestrelEndpointsFrom, endpointNameFor } from './kestrel.ts';
export type { KestrelEndpoint } from './kestrel.ts';
export { endpointsFromUrls, parseListenUrl, splitApplicationUrl } from './application-url.ts';
export { DotnetError } from './errors.ts';
export type { DotnetErrorCode } from './errors.ts';
export { projectEndpointsFor, effectiveEndpoints, launchProfileEnv } from './resource.ts';
export type { ResourceProjectOptions } from './resource.ts';
