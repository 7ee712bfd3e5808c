export { resolveServiceUrl, resolveServiceUrls, parseServiceUri, listServiceEntries } from './resolve-service-url.ts';
export type { Env } from './resolve-service-url.ts';
export { DiscoveryError } from './errors.ts';
export type { DiscoveryErrorCode } from './errors.ts';
