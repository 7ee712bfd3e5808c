// Errors of `apphostctl export`: one line naming the resource and what to do, with a stable code.
import { CodedError, codedErrorGuard } from '../errors.ts';

export type ExportErrorCode =
  | 'EXPORT_NO_RESOURCES'
  | 'EXPORT_NO_IMAGE'
  | 'EXPORT_UNKNOWN_RESOURCE'
  | 'EXPORT_INVALID'
  | 'EXPORT_OUTPUT';

export class ExportError extends CodedError<ExportErrorCode> {}

export const isExportError = codedErrorGuard(ExportError);
