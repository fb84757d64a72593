import { IdentityDisabledError } from '../identity/errors.js';
import { Msg, type UiText, uiText } from './flow/messages.js';

/**
 * How the sign-in flows (login, registration, recovery) tell a person their account is disabled:
 * Kratos's message 4010011 (`ErrorValidationIdentityDisabled`) on the flow, answered as any
 * other validation error of that flow (400 with the flow for JSON clients, 303 back to the UI for
 * browsers). Kratos's login shows it for the right password of an inactive identity.
 */
export function identityDisabledText(): UiText {
  return uiText(Msg.ErrorValidationIdentityDisabled);
}

/**
 * The flow messages that answer `error` when it is IdentityDisabledError (the identity turned
 * inactive while its session was stored: the session manager revoked it again), else undefined:
 * any other error stays the caller's to throw. Without this the error would surface as its
 * 401 JSON body instead of the flow's own answer.
 */
export function identityDisabledMessages(error: unknown): UiText[] | undefined {
  return error instanceof IdentityDisabledError ? [identityDisabledText()] : undefined;
}
