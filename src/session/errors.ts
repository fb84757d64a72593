import { AppError } from '../kernel/errors.js';

/** Kratos's ErrNoActiveSessionFound: no usable session in the request. */
export function noActiveSession(): AppError {
  return new AppError('session_inactive', 401, 'request does not have a valid authentication session', {
    reason: 'No active session was found in this request.',
  });
}

/** A session a code or link was for has ended (revoked or expired) before it was used. */
export function sessionEnded(): AppError {
  return new AppError('session_inactive', 410, 'The session has ended.', {
    reason: 'The session this code was for has ended; sign in again.',
  });
}
