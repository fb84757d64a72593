/**
 * Typed pipeline errors. The kind is what error handlers' `when.error` matches and what the
 * decision API and reverse proxy turn into a status. Oathkeeper's messages are kept.
 */
export type PipelineErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'too_many_requests'
  | 'internal_server_error'
  | 'service_unavailable'
  | 'gateway_timeout';

export interface PipelineError {
  kind: PipelineErrorKind;
  status: 401 | 403 | 404 | 429 | 500 | 503 | 504;
  /** Oathkeeper's message for this error (shown by the json handler with `verbose`). */
  message: string;
  /** Detail for this occurrence; logged, shown only by a verbose json handler. */
  reason?: string;
  /**
   * Response headers the `json` error handler sets (Oathkeeper's helper.ErrWithHeaders): the
   * rate-limit headers of an upstream's 429. Lower-case names.
   */
  headers?: Readonly<Record<string, string>>;
}

const STATUS: Record<PipelineErrorKind, PipelineError['status']> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_many_requests: 429,
  internal_server_error: 500,
  service_unavailable: 503,
  gateway_timeout: 504,
};

/** Oathkeeper's messages (helper.ErrUnauthorized, ErrForbidden, ErrMatchesNoRule, ...). */
const MESSAGE: Record<PipelineErrorKind, string> = {
  unauthorized: 'Access credentials are invalid',
  forbidden: 'Access credentials are not sufficient to access this resource',
  not_found: 'Requested url does not match any rules',
  too_many_requests: 'Too many requests',
  internal_server_error: 'An internal server error occurred, please contact the system administrator',
  service_unavailable: 'The upstream service is not available',
  gateway_timeout: 'The upstream service is timing out',
};

export function pipelineError(kind: PipelineErrorKind, reason?: string, message?: string): PipelineError {
  const error: PipelineError = { kind, status: STATUS[kind], message: message ?? MESSAGE[kind] };
  if (reason !== undefined) error.reason = reason;
  return error;
}

export const unauthorized = (reason?: string): PipelineError => pipelineError('unauthorized', reason);
export const forbidden = (reason?: string): PipelineError => pipelineError('forbidden', reason);
export const internalError = (reason?: string): PipelineError =>
  pipelineError('internal_server_error', reason);
/**
 * An upstream service (a token endpoint) failing, as Oathkeeper's helper.ErrUpstreamService*
 * errors: 503 not available, 504 timing out, 404 not found, 500 an unexpected error.
 */
export const upstreamUnavailable = (reason?: string): PipelineError =>
  pipelineError('service_unavailable', reason);
export const upstreamTimeout = (reason?: string): PipelineError => pipelineError('gateway_timeout', reason);
export const upstreamNotFound = (reason?: string): PipelineError =>
  pipelineError('not_found', reason, 'Upstream service not found');
export const upstreamInternalError = (reason?: string): PipelineError =>
  pipelineError('internal_server_error', reason, 'The upstream service encountered an unexpected error');
/**
 * The headers Oathkeeper copies from an upstream's 429 to its own answer
 * (helper.RateLimitHeaders), as http.Header.Get reads them: the first value, when not empty.
 */
const RATE_LIMIT_HEADERS = [
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-type',
] as const;

/**
 * An upstream answered 429: Oathkeeper's helper.NewErrTooManyRequestsWithHeaders, a 429 "Too
 * many requests" (no reason) carrying that answer's rate-limit headers to the client.
 * `upstream` holds the first value of each of the answer's headers (OutboundResponse's
 * `firstHeaders`, as Go's Header.Get reads them), lower-case names.
 */
export function tooManyRequests(upstream: Readonly<Record<string, string>>): PipelineError {
  const headers: Record<string, string> = {};
  for (const name of RATE_LIMIT_HEADERS) {
    const value = upstream[name];
    if (value !== undefined && value !== '') headers[name] = value;
  }
  return { ...pipelineError('too_many_requests'), headers };
}

/** No rule matched (for the decision API / proxy to hand to {@link handlePipelineError}). */
export const noRuleMatched = (): PipelineError => pipelineError('not_found');
/** Several rules matched: Oathkeeper answers 500. */
export const severalRulesMatched = (): PipelineError =>
  pipelineError('internal_server_error', undefined, 'Expected exactly one rule but found multiple rules');
/**
 * Proxy mode: the matched rule has no `upstream.url`. Oathkeeper's ConfigureBackendURL returns
 * this (a plain error, so a 500) and RoundTrip hands it to the rule's error handlers.
 */
export const ruleHasNoUpstream = (): PipelineError =>
  pipelineError(
    'internal_server_error',
    undefined,
    'Unable to forward the request because matched rule does not define an upstream URL',
  );
/**
 * The request matched a rule that failed validation (or a rule whose match cannot be
 * evaluated): Oathkeeper answers 500, the handler it fails on being misconfigured.
 */
export const invalidRuleMatched = (reason?: string): PipelineError =>
  pipelineError('internal_server_error', reason, 'The access rule matching this request is misconfigured');
