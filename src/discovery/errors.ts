// Errors of the service-discovery resolver, with stable codes (tests assert on `code`).
import { CodedError } from '../errors.ts';

export type DiscoveryErrorCode = 'DISCOVERY_INVALID_URI' | 'DISCOVERY_NOT_FOUND';

export class DiscoveryError extends CodedError<DiscoveryErrorCode> {}
