/**
 * Typed application errors with stable ids, rendered in Kratos's JSON error shape:
 * `{"error": {"id"?, "code", "status", "reason"?, "message", "details"?}}`.
 *
 * Code branches on `AppError.id` or `AppError.code`, never on the message text.
 */

/** Stable error ids. Ids that Kratos emits keep Kratos's spelling. */
export type ErrorId =
  | 'bad_request'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'internal_server_error'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'service_unavailable'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'session_inactive'
  | 'session_already_available'
  | 'session_aal1_required'
  | 'session_refresh_required'
  | 'security_csrf_violation'
  | 'security_identity_mismatch'
  | 'self_service_flow_expired'
  | 'self_service_flow_replaced'
  | 'self_service_flow_disabled'
  | 'self_service_flow_return_to_forbidden'
  | 'browser_location_change_required'
  | 'identity_schema_invalid'
  | 'identity_traits_invalid'
  | 'password_too_long_for_hasher';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? 'Error';
}

export interface AppErrorOptions {
  /** Human-readable detail for this occurrence; safe to show to the caller. */
  reason?: string;
  /** Structured detail (for example `use_flow_id`, `redirect_browser_to`). */
  details?: Record<string, unknown>;
  /** Whether to put `id` in the response body. Generic HTTP errors carry no id in Kratos. */
  exposeId?: boolean;
  cause?: unknown;
}

/** An error that reaches the caller as a Kratos error body with `code` as HTTP status. */
export class AppError extends Error {
  readonly id: ErrorId;
  readonly code: number;
  readonly reason: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly exposeId: boolean;

  constructor(id: ErrorId, code: number, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.id = id;
    this.code = code;
    this.reason = options.reason;
    this.details = options.details;
    this.exposeId = options.exposeId ?? true;
  }

  toJSON(): ErrorBody {
    const error: ErrorBody['error'] = {
      code: this.code,
      status: statusText(this.code),
      message: this.message,
    };
    if (this.exposeId) error.id = this.id;
    if (this.reason !== undefined) error.reason = this.reason;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export interface ErrorBody {
  error: {
    id?: string;
    code: number;
    status: string;
    reason?: string;
    message: string;
    details?: Record<string, unknown>;
  };
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

// Constructors for the generic errors, with Kratos's default messages.

export const badRequest = (reason?: string, details?: Record<string, unknown>): AppError =>
  new AppError('bad_request', 400, 'The request was malformed or contained invalid parameters', {
    reason,
    details,
    exposeId: false,
  });

export const notFound = (reason?: string): AppError =>
  new AppError('not_found', 404, 'The requested resource could not be found', {
    reason,
    exposeId: false,
  });

export const conflict = (reason?: string): AppError =>
  new AppError('conflict', 409, 'The resource could not be created due to a conflict', {
    reason,
    exposeId: false,
  });

export const payloadTooLarge = (reason?: string): AppError =>
  new AppError('payload_too_large', 413, 'The request body is too large', {
    reason,
    exposeId: false,
  });

export const unsupportedMediaType = (reason?: string): AppError =>
  new AppError('unsupported_media_type', 415, 'The request content type is not supported', {
    reason,
    exposeId: false,
  });

export const internalError = (reason?: string, cause?: unknown): AppError =>
  new AppError(
    'internal_server_error',
    500,
    'An internal server error occurred, please contact the system administrator',
    {
      reason,
      cause,
      exposeId: false,
    },
  );

export const serviceUnavailable = (reason?: string): AppError =>
  new AppError('service_unavailable', 503, 'The service is temporarily unavailable', {
    reason,
    exposeId: false,
  });
