import { type AppError, notFound } from '../../../kernel/errors.js';

/** Kratos's `strategy.EndpointDisabledMessage`. */
export const ENDPOINT_DISABLED_REASON =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';

/**
 * A `method: password` submission while `selfservice.methods.password.enabled` is false. As
 * Kratos's `flow.MethodEnabledAndAllowed`, which the password strategy's Login and Register call
 * before reading anything else of the submission: 404 with EndpointDisabledMessage (JSON for API
 * and SPA clients, the error UI for a browser's form post). Nothing is created or checked.
 */
export function passwordMethodDisabled(): AppError {
  return notFound(ENDPOINT_DISABLED_REASON);
}
