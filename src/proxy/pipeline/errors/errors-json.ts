import { statusText } from '../../../kernel/errors.js';
import type { PipelineError } from '../errors.js';
import { type ErrorHandler, oathkeeperDefinition } from '../handler.js';
import { requestHeader } from '../session.js';
import type { WhenClause } from './when.js';

/**
 * herodot's generic messages, shown when `verbose` is off: Oathkeeper's json handler swaps the
 * error for herodot's own for these statuses; any other (503, 504) keeps its own message.
 */
const GENERIC: Record<number, string> = {
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'The requested resource could not be found',
  500: 'An internal server error occurred, please contact the system administrator',
};

/**
 * Oathkeeper's JSON error body: `{"error":{"code","status"[,"request"],"message"[,"reason"]}}`.
 * `request` is the client's `X-Request-ID`, as herodot's defaultJSONErrorEnhancer puts it
 * (`ToDefaultError(err, r.Header.Get("X-Request-ID"))`, omitted when empty).
 */
export function jsonErrorBody(error: PipelineError, verbose: boolean, requestId = ''): string {
  const body: Record<string, unknown> = { code: error.status, status: statusText(error.status) };
  if (requestId !== '') body.request = requestId;
  body.message = verbose ? error.message : (GENERIC[error.status] ?? error.message);
  if (verbose && error.reason !== undefined) body.reason = error.reason;
  return JSON.stringify({ error: body });
}

/**
 * `json`: answers with the error's status and Oathkeeper's JSON body (details only with
 * `verbose`), plus the headers the error carries (an upstream 429's rate-limit headers).
 */
export const jsonErrorHandler: ErrorHandler<{ verbose: boolean; when?: WhenClause[] }> = {
  id: 'json',
  configSchema: oathkeeperDefinition('configErrorsJSON'),
  prepare: (raw) => ({
    ok: true,
    config: { verbose: raw.verbose === true, when: raw.when as WhenClause[] | undefined },
  }),
  handle(request, error, config) {
    return {
      status: error.status,
      // An upstream's rate-limit headers go along with its 429, as Oathkeeper's json handler
      // sets those of a helper.ErrWithHeaders (its other handlers do not).
      headers: { ...error.headers, 'content-type': 'application/json; charset=utf-8' },
      body: jsonErrorBody(error, config.verbose, requestHeader(request, 'x-request-id') ?? ''),
    };
  },
};
