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
 * A settings flow belongs to the identity it was started for. Fetching another identity's flow
 * is 403 and submitting it 400, both `security_identity_mismatch`, as in Kratos.
 */
export function flowOfAnotherIdentity(on: 'fetch' | 'submit'): AppError {
  return new AppError(
    'security_identity_mismatch',
    on === 'fetch' ? 403 : 400,
    on === 'fetch'
      ? 'The requested action was forbidden'
      : 'The request was malformed or contained invalid parameters',
    { reason: 'The request was made for another identity and has been blocked for security reasons.' },
  );
}
