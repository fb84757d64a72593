import { AppError } from '../../kernel/errors.js';

/** Kratos answers a disabled registration with this error. */
export function registrationDisabled(): AppError {
  return new AppError('forbidden', 403, 'The requested action was forbidden', {
    reason: 'Registration is not allowed because it was disabled.',
    exposeId: false,
  });
}
