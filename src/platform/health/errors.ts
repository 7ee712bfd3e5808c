// Errors of the health adapter. Probes never throw (they return ProbeResult with a stable code);
// this class is for programming errors such as an invalid option.
import { CodedError, codedErrorGuard } from '../../errors.ts';
import type { ProbeCode } from './types.ts';

export type HealthErrorCode = 'HEALTH_INVALID_OPTIONS';

export class HealthError extends CodedError<HealthErrorCode> {}

export const isHealthError = codedErrorGuard(HealthError);

export type { ProbeCode };
