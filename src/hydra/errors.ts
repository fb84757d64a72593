import { AppError, badRequest, internalError } from '../kernel/errors.js';

/**
 * What came back from Hydra instead of the answer asked for: an HTTP status (with its body,
 * when read), or nothing at all (Hydra unreachable, timed out).
 */
export type HydraFailure = { status: number; body: Buffer | undefined } | { status: undefined };

/**
 * `details.oauth2_error_hint` as Kratos adds it: from a body that decodes as Hydra's
 * `errorOAuth2` (an empty hint when it has none); no hint for a body that does not decode, nor
 * for the 410 of a login request already handled (whose body is a redirect, not an error).
 */
function errorHint(failure: HydraFailure, decodesAsError: boolean): { oauth2_error_hint?: string } {
  if (failure.status === undefined || failure.body === undefined || !decodesAsError) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(failure.body.toString('utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const hint = (parsed as { error_hint?: unknown }).error_hint;
  return { oauth2_error_hint: typeof hint === 'string' ? hint : '' };
}

function details(failure: HydraFailure, decodesAsError: boolean): Record<string, unknown> | undefined {
  if (failure.status === undefined) return undefined;
  return { status_code: failure.status, ...errorHint(failure, decodesAsError) };
}

/**
 * Kratos's GetLoginRequest error: 400 when Hydra answered below 500 (an unknown, expired or
 * already handled challenge), 500 when it failed or could not be reached.
 */
export function loginRequestUnavailable(failure: HydraFailure): AppError {
  const reason = 'Unable to get OAuth 2.0 Login Challenge.';
  const extra = details(failure, failure.status !== 410);
  if (failure.status !== undefined && failure.status < 500) return badRequest(reason, extra);
  return withDetails(internalError(reason), extra);
}

/** Kratos's AcceptLoginRequest error: always 500, with Hydra's status and hint when it answered. */
export function loginAcceptFailed(failure: HydraFailure): AppError {
  return withDetails(internalError('Unable to accept OAuth 2.0 Login Challenge.'), details(failure, true));
}

function withDetails(error: AppError, extra: Record<string, unknown> | undefined): AppError {
  if (extra === undefined) return error;
  return new AppError(error.id, error.code, error.message, {
    reason: error.reason,
    details: extra,
    exposeId: error.exposeId,
  });
}
