import { AppError } from '../kernel/errors.js';

/**
 * Stable ids of the identity errors below, for callers and logs. (AppError's own `id` keeps the
 * generic Kratos id of the answer, `conflict` and `unauthorized`, which carry no id in Kratos's
 * bodies; branch on these, or on `instanceof`.)
 */
export const IdentityErrorId = {
  changedConcurrently: 'identity_changed_concurrently',
  disabled: 'identity_disabled',
} as const;

/**
 * A write of an identity kept meeting writes of others: every attempt re-read the identity and
 * re-applied its change, and each time another write got there first (see IdentityManager).
 * Nothing of this write was stored. 409 in Kratos's shape for the admin API; the settings flow
 * shows it as a message on the flow.
 */
export class IdentityChangedConcurrentlyError extends AppError {
  readonly identityErrorId = IdentityErrorId.changedConcurrently;

  constructor(attempts: number) {
    super('conflict', 409, 'The resource could not be created due to a conflict', {
      reason: `The identity was changed by other requests while this change was applied (${attempts} attempts); nothing was changed. Please try again.`,
      exposeId: false,
    });
  }
}

/**
 * The identity is not active (any more): as Kratos's `session.ErrIdentityDisabled` (401, "This
 * account was disabled."), which Kratos's login shows as the message 4010011. Thrown where an
 * identity was found active earlier in a request and was deactivated before the request wrote
 * something for it: a session issued (SessionManager.issue) or a settings change.
 */
export class IdentityDisabledError extends AppError {
  readonly identityErrorId = IdentityErrorId.disabled;

  constructor() {
    super('unauthorized', 401, 'The request could not be authorized', {
      reason: 'This account was disabled.',
      exposeId: false,
    });
  }
}
