// Errors of the service-discovery resolver, with stable codes (tests assert on `code`).

export type DiscoveryErrorCode = 'DISCOVERY_INVALID_URI' | 'DISCOVERY_NOT_FOUND';

export class DiscoveryError extends Error {
  readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string) {
    super(message);
    this.name = 'DiscoveryError';
    this.code = code;
  }
}
