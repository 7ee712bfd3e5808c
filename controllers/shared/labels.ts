// Labels the built-in controllers put on the objects they create, so others can select them.

/** On Endpoints, Replicas and Proxies: the owning Resource's name. */
export const RESOURCE_LABEL = 'apphost.dev/resource';
/** On Endpoints: the endpoint name (as in the Resource spec). */
export const ENDPOINT_LABEL = 'apphost.dev/endpoint';
/** On Replicas: the replica index. */
export const REPLICA_INDEX_LABEL = 'apphost.dev/replica-index';
/** On container tunnel Proxies: the Endpoint (and the endpoint's own Proxy) they tunnel to. */
export const TUNNEL_FOR_LABEL = 'apphost.dev/tunnel-for';
