// API errors: one class, a stable Kubernetes Status reason per case, and the HTTP code it maps to.
// Store, registry, admission and the HTTP layer all throw these; the HTTP layer turns them into
// `Status` objects. Tests assert on `reason`, not on messages.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'Timeout'
  | 'NotAcceptable'
  | 'InternalError'
  | 'ServiceUnavailable';

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  Timeout: 408,
  InternalError: 500,
  ServiceUnavailable: 503,
};

/** One cause of an Invalid error: `field` is a Kubernetes field path such as `spec.endpoints[0].port`. */
export interface StatusCause {
  reason: string;
  field?: string;
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;

  constructor(reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = CODES[reason];
    this.details = details;
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `resources.apphost.dev` style name used in Kubernetes error messages. */
function qualified(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound(plural: string, group: string, name: string): ApiError {
    return new ApiError('NotFound', `${qualified(plural, group)} "${name}" not found`, {
      name,
      group,
      kind: plural,
    });
  },
  alreadyExists(plural: string, group: string, name: string): ApiError {
    return new ApiError('AlreadyExists', `${qualified(plural, group)} "${name}" already exists`, {
      name,
      group,
      kind: plural,
    });
  },
  conflict(plural: string, group: string, name: string, why: string): ApiError {
    return new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(plural, group)} "${name}": ${why}`,
      { name, group, kind: plural },
    );
  },
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
    const summary = causes
      .map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
      .join(', ');
    return new ApiError('Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${summary}`, {
      name,
      group,
      kind,
      causes,
    });
  },
  expired(requested: string, oldest: string): ApiError {
    return new ApiError('Expired', `too old resource version: ${requested} (${oldest})`);
  },
  forbidden(plural: string, group: string, name: string, why: string, cause?: StatusCause): ApiError {
    return new ApiError('Forbidden', `${qualified(plural, group)} "${name}" is forbidden: ${why}`, {
      name,
      group,
      kind: plural,
      ...(cause ? { causes: [cause] } : {}),
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError('BadRequest', message);
  },
};

export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}
