/**
 * The identifier-first login form (`selfservice.flows.login.style: identifier_first`), as
 * Kratos's idfirst strategy builds it: first the identifier alone with a "Continue" button
 * (`method=identifier_first`); once the identifier is known, the identifier hidden and the
 * credentials of the account (the password method's, when it has a password).
 */

import { inputNode, Msg, submitNode, type UiInputNode, type UiText, uiText } from '../flow/index.js';
import { passwordInputNode, passwordSubmitNode } from './password-nodes.js';

/** The `method` value and node group of the identification step. */
export const IDENTIFIER_FIRST = 'identifier_first';

/** Kratos sets this on the identifier of both steps (a passkey may answer it, too). */
const AUTOCOMPLETE = 'username webauthn';

/**
 * The identification step: `identifier` (group `identifier_first`, required, labelled from the
 * schema) and the `method=identifier_first` button, "Continue" (1070009).
 */
export function identifierFirstNodes(identifierLabel: UiText, identifier = ''): UiInputNode[] {
  return [
    inputNode(IDENTIFIER_FIRST, 'identifier', 'text', {
      value: identifier,
      required: true,
      autocomplete: AUTOCOMPLETE,
      metaLabel: identifierLabel,
    }),
    submitNode(IDENTIFIER_FIRST, 'method', IDENTIFIER_FIRST, uiText(Msg.InfoNodeLabelContinue)),
  ];
}

/**
 * The credentials step: the identifier as typed, now hidden (the "Continue" button gone), then
 * the password and "Sign in with password" (1010022) when the account has a password — or when
 * account enumeration is mitigated, so that the form gives nothing away.
 */
export function identifierFirstCredentialNodes(
  identifierLabel: UiText,
  identifier: string,
  withPassword: boolean,
): UiInputNode[] {
  const hidden = inputNode(IDENTIFIER_FIRST, 'identifier', 'hidden', {
    value: identifier,
    required: true,
    autocomplete: AUTOCOMPLETE,
    metaLabel: identifierLabel,
  });
  if (!withPassword) return [hidden];
  return [
    hidden,
    passwordInputNode('current-password'),
    passwordSubmitNode(uiText(Msg.InfoSelfServiceLoginPassword)),
  ];
}
