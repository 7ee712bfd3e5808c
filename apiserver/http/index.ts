// Public surface of the HTTPS Kubernetes REST server.
export { startApiServer } from './server.ts';
export { writeKubeconfig, kubeconfigYaml, type KubeconfigOptions } from './kubeconfig.ts';
export { generateTls, type TlsMaterial } from './tls.ts';
export { ApiServerError, isApiServerError, type ApiServerErrorCode } from './errors.ts';
export type { ApiServer, ApiServerOptions, LogProvider, LogProviderStats, LogLine } from './types.ts';
export type { HealthCheck, HealthEndpoint } from './health.ts';
