import { AppError } from '../kernel/errors.js';

/** Kratos's ErrNoActiveSessionFound: no usable session in the request. */
export function noActiveSession(): AppError {
  return new AppError('session_inactive', 401, 'request does not have a valid authentication session', {
    reason: 'No active session was found in this request.',
  });
}
