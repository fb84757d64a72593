import { AppError } from '../../kernel/errors.js';

/** Kratos's ErrRegistrationDisabled: 400 `self_service_flow_disabled`. */
export function registrationDisabled(): AppError {
  return new AppError('self_service_flow_disabled', 400, 'registration flow disabled', {
    reason: 'Registration is not allowed because it was disabled.',
  });
}
