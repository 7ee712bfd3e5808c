// Errors of the host layer (manifests, start-up, shutdown): one class, stable codes. Messages are one
// line a user can act on; callers print `err.message` without a stack.
import { CodedError, codedErrorGuard } from '../errors.ts';

export type HostErrorCode =
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_PARSE'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_APPLY'
  | 'MANIFEST_DUPLICATE'
  | 'MANIFEST_TOO_LARGE'
  | 'START_FAILED';

export class HostError extends CodedError<HostErrorCode> {}

export const isHostError = codedErrorGuard(HostError);
