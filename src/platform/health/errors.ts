// Errors of the health adapter. Probes never throw (they return ProbeResult with a stable code);
// this class is for programming errors such as an invalid option.
import type { ProbeCode } from './types.ts';

export type HealthErrorCode = 'HEALTH_INVALID_OPTIONS';

export class HealthError extends Error {
  readonly code: HealthErrorCode;
  constructor(code: HealthErrorCode, message: string) {
    super(message);
    this.name = 'HealthError';
    this.code = code;
  }
}

export function isHealthError(err: unknown, code?: HealthErrorCode): err is HealthError {
  return err instanceof HealthError && (code === undefined || err.code === code);
}

export type { ProbeCode };
