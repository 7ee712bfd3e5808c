// Errors of the secrets adapter: one base class, stable codes.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type SecretsErrorCode = 'SECRETS_FILE_INVALID' | 'SECRETS_WRITE_FAILED';

export class SecretsError extends CodedError<SecretsErrorCode> {}

export const isSecretsError = codedErrorGuard(SecretsError);
