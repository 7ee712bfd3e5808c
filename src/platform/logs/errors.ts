// Errors of the log store: one base class, stable codes. Tests assert on `code`.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type LogErrorCode = 'LOG_INVALID_OPTIONS';

export class LogError extends CodedError<LogErrorCode> {}

export const isLogError = codedErrorGuard(LogError);
