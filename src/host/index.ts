// Public surface of the apphost assembly: start the control plane in-process, load manifests.
export { startApphost, stateDir } from './start-apphost.ts';
export type { Apphost, StartApphostOptions } from './types.ts';
export { loadManifests, loadManifestFile, parseManifests, isManifestFile, MANIFEST_EXTENSIONS } from './manifests.ts';
export { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
export { applyManifests, type AppliedObject } from './apply-manifests.ts';
export { applicationName, projectHash } from './project.ts';
export { HostError, isHostError, type HostErrorCode } from './errors.ts';
