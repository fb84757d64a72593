import { AppError } from '../kernel/errors.js';

/** Kratos's ErrNoActiveSessionFound: no usable session in the request. */
export function noActiveSession(): AppError {
  return new AppError('session_inactive', 401, 'request does not have a valid authentication session', {
    reason: 'No active session was found in this request.',
  });
}

/**
 * whoami's 401, as Kratos's: a generic Unauthorized without an error id, whose reason tells a
 * session that has ended (revoked, expired) from no session credentials at all.
 */
export function whoamiUnauthorized(ended: boolean): AppError {
  return new AppError('unauthorized', 401, 'The request could not be authorized', {
    reason: ended
      ? 'The session is inactive. Please log in again.'
      : 'No valid session credentials found in the request.',
    exposeId: false,
  });
}

/** The 401 of the caller's own session routes (`GET`/`DELETE /sessions`, `DELETE /sessions/{id}`), as Kratos's. */
export function noSessionCookie(): AppError {
  return new AppError('unauthorized', 401, 'The request could not be authorized', {
    reason: 'No valid session cookie found.',
    exposeId: false,
  });
}

/** A session a code or link was for has ended (revoked or expired) before it was used. */
export function sessionEnded(): AppError {
  return new AppError('session_inactive', 410, 'The session has ended.', {
    reason: 'The session this code was for has ended; sign in again.',
  });
}
