// Errors the builder throws for mistakes the type system cannot catch. Stable codes; messages
// name the resource and, where relevant, the endpoint.
import { CodedError, codedErrorGuard } from '../errors.ts';

export type BuilderErrorCode =
  | 'BUILDER_INVALID_NAME'
  | 'BUILDER_DUPLICATE_RESOURCE'
  | 'BUILDER_UNKNOWN_RESOURCE'
  | 'BUILDER_UNKNOWN_ENDPOINT'
  | 'BUILDER_DUPLICATE_ENDPOINT'
  | 'BUILDER_INVALID_ARGUMENT'
  | 'BUILDER_NO_RUN'
  | 'BUILDER_LOAD_FAILED'
  | 'BUILDER_NO_RUNNER';

export class BuilderError extends CodedError<BuilderErrorCode> {}

export const isBuilderError = codedErrorGuard(BuilderError);
