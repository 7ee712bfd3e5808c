// Public surface of apiserver/: the store, the registry, the HTTPS REST server and the API errors.
export * from '../src/api/status.ts';
export * from './store/index.ts';
export * from './registry/index.ts';
export * from './http/index.ts';
