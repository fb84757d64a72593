/**
 * The two nodes every password form has: the password input and the `method=password` button
 * (Kratos's `password.NewPasswordNode` and the strategies' submit nodes).
 */

import { inputNode, Msg, submitNode, type UiInputNode, type UiText, uiText } from '../flow/index.js';

/** The required `password` input, labelled "Password" (1070001). */
export function passwordInputNode(autocomplete: 'current-password' | 'new-password'): UiInputNode {
  return inputNode('password', 'password', 'password', {
    required: true,
    autocomplete,
    metaLabel: uiText(Msg.InfoNodeLabelInputPassword),
  });
}

/** The `method=password` submit button of the `password` group. */
export function passwordSubmitNode(label: UiText): UiInputNode {
  return submitNode('password', 'method', 'password', label);
}
