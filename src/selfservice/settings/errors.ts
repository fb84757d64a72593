import { AppError, type ErrorBody } from '../../kernel/errors.js';

/**
 * 403 `session_refresh_required` (Kratos's `FlowNeedsReAuth`): the change needs a session that
 * signed in within `privileged_session_max_age`. The body names where to re-authenticate
 * (`redirect_browser_to`, beside `error`, as in the `needsPrivilegedSessionError` schema).
 */
export class NeedsPrivilegedSessionError extends AppError {
  constructor(readonly redirectBrowserTo: string) {
    super('session_refresh_required', 403, 'The requested action was forbidden', {
      reason:
        'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
    });
  }

  override toJSON(): ErrorBody & { redirect_browser_to: string } {
    return { ...super.toJSON(), redirect_browser_to: this.redirectBrowserTo };
  }
}

/**
 * Kratos's reason (`text.ErrIDInitiatedBySomeoneElse`) when a settings flow is submitted with
 * another identity's session; shown as the form message 4000001.
 */
export const INITIATED_BY_SOMEONE_ELSE =
  'You must restart the flow because the resumable session was initiated by another person.';

/**
 * A settings flow belongs to the identity it was started for. Fetching another identity's flow
 * is 403 `security_identity_mismatch`, as in Kratos's getSettingsFlow. (Submitting one answers
 * the flow with a message instead: see refuseFlowOfAnotherIdentity.) The argument is only what
 * the caller is doing, which is always a fetch now.
 */
export function flowOfAnotherIdentity(_on: 'fetch' = 'fetch'): AppError {
  return new AppError('security_identity_mismatch', 403, 'The requested action was forbidden', {
    reason: 'The request was made for another identity and has been blocked for security reasons.',
  });
}

/**
 * An unlink that, applied to the identity as stored at write time, would leave it no way to sign
 * in: another request (a second tab unlinking another provider, an admin deleting the password)
 * removed the other way in after this request checked. Shown as the same form message the oidc
 * strategy gives when it sees this up front; nothing is written.
 */
export class LastSignInMethodError extends Error {
  readonly settingsErrorId = 'last_sign_in_method';

  constructor(readonly provider: string) {
    super(`unlinking ${provider} would leave the identity no way to sign in`);
    this.name = 'LastSignInMethodError';
  }
}
