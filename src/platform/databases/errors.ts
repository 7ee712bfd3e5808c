// Errors of the databases adapter: one base class, stable codes.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type DatabaseErrorCode = 'DATABASE_UNREACHABLE' | 'DATABASE_REFUSED';

export class DatabaseError extends CodedError<DatabaseErrorCode> {}

export const isDatabaseError = codedErrorGuard(DatabaseError);
