// Public surface of apiserver/: the store, the registry, the HTTPS REST server and the API errors.
export * from './errors.ts';
export * from './store/index.ts';
export * from './registry/index.ts';
export * from './http/index.ts';
