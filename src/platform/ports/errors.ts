// Errors of the ports adapter: one base class, stable codes. Tests assert on `code`.
import { CodedError, codedErrorGuard } from '../../errors.ts';

export type PortErrorCode =
  | 'PORT_RANGE_INVALID'
  | 'PORT_RANGE_EXHAUSTED'
  | 'PORT_ALLOCATION_FAILED'
  | 'PORT_INVALID';

export class PortError extends CodedError<PortErrorCode> {}

export const isPortError = codedErrorGuard(PortError);
