/**
 * Typed pipeline errors. The kind is what error handlers' `when.error` matches and what the
 * decision API and reverse proxy turn into a status. Oathkeeper's messages are kept.
 */
export type PipelineErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'internal_server_error'
  | 'service_unavailable'
  | 'gateway_timeout';

export interface PipelineError {
  kind: PipelineErrorKind;
  status: 401 | 403 | 404 | 500 | 503 | 504;
  /** Oathkeeper's message for this error (shown by the json handler with `verbose`). */
  message: string;
  /** Detail for this occurrence; logged, shown only by a verbose json handler. */
  reason?: string;
}

const STATUS: Record<PipelineErrorKind, PipelineError['status']> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  internal_server_error: 500,
  service_unavailable: 503,
  gateway_timeout: 504,
};

/** Oathkeeper's messages (helper.ErrUnauthorized, ErrForbidden, ErrMatchesNoRule, ...). */
const MESSAGE: Record<PipelineErrorKind, string> = {
  unauthorized: 'Access credentials are invalid',
  forbidden: 'Access credentials are not sufficient to access this resource',
  not_found: 'Requested url does not match any rules',
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
