// Public surface of the secrets adapter: parameter values from env and .apphost/secrets.json.
export type { ParameterSource } from './types.ts';
export { SecretsError, isSecretsError } from './errors.ts';
export type { SecretsErrorCode } from './errors.ts';
export { createFileParameterSource, createMemoryParameterSource, generateSecret, DEFAULT_GENERATED_LENGTH } from './file-parameter-source.ts';
export type { FileParameterSourceOptions } from './file-parameter-source.ts';
