/**
 * The password strategy's login form (Kratos's `PopulateLoginMethodFirstFactor` and
 * `PopulateLoginMethodFirstFactorRefresh` in `selfservice/strategy/password/login.go`).
 */

import {
  inputNode,
  Msg,
  type UiInputNode,
  type UiNodeInputAutocomplete,
  type UiText,
  uiText,
} from '../flow/index.js';
import { passwordInputNode, passwordSubmitNode } from './password-nodes.js';

/** Options of {@link loginPasswordNodes}. */
export interface LoginPasswordOptions {
  /** The identifier's label; see `identifierLabel(schema)`. */
  identifierLabel: UiText;
  /** What the person typed, kept after a failed attempt. Kratos sends `""` when there is none. */
  identifier?: string;
  /**
   * An `autocomplete` for the identifier. Kratos's published form has none (see the tests);
   * a 2026 Kratos test expects `username`, so this is here for when Kratos ships it.
   */
  identifierAutocomplete?: UiNodeInputAutocomplete;
}

/**
 * `identifier` (group `default`, required), `password` (group `password`, required,
 * `current-password`, "Password") and the `method=password` button labelled "Sign in with
 * password" (1010022), in Kratos's order. The flow adds the CSRF node, which Kratos's sort puts
 * before all three.
 */
export function loginPasswordNodes(options: LoginPasswordOptions): UiInputNode[] {
  return [
    inputNode('default', 'identifier', 'text', {
      value: options.identifier ?? '',
      required: true,
      autocomplete: options.identifierAutocomplete,
      metaLabel: options.identifierLabel,
    }),
    passwordInputNode('current-password'),
    passwordSubmitNode(uiText(Msg.InfoSelfServiceLoginPassword)),
  ];
}

/**
 * The re-authentication form (`refresh=true`) for a person whose identity has a password: the
 * known identifier as a hidden, unlabelled input, the password, and a button labelled "Sign in"
 * (1010001).
 */
export function loginPasswordRefreshNodes(identifier: string): UiInputNode[] {
  return [
    inputNode('default', 'identifier', 'hidden', { value: identifier }),
    passwordInputNode('current-password'),
    passwordSubmitNode(uiText(Msg.InfoSelfServiceLogin)),
  ];
}
