// Errors the builder throws for mistakes the type system cannot catch. Stable codes; messages
// name the resource and, where relevant, the endpoint.

export type BuilderErrorCode =
  | 'BUILDER_INVALID_NAME'
  | 'BUILDER_DUPLICATE_RESOURCE'
  | 'BUILDER_UNKNOWN_RESOURCE'
  | 'BUILDER_UNKNOWN_ENDPOINT'
  | 'BUILDER_DUPLICATE_ENDPOINT'
  | 'BUILDER_INVALID_ARGUMENT'
  | 'BUILDER_NO_RUN'
  | 'BUILDER_LOAD_FAILED';

export class BuilderError extends Error {
  readonly code: BuilderErrorCode;

  constructor(code: BuilderErrorCode, message: string) {
    super(message);
    this.name = 'BuilderError';
    this.code = code;
  }
}

export function isBuilderError(err: unknown, code?: BuilderErrorCode): err is BuilderError {
  return err instanceof BuilderError && (code === undefined || err.code === code);
}
