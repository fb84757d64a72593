import type { AddressVia } from '../../identity/model.js';
/**
 * Form nodes of the verification and recovery flows, as Kratos's `code` and `link` strategies
 * build them: ask for the address, then (code) ask for the code with a "Resend code" button,
 * and once done a "Continue" link.
 */

import {
  inputNode,
  Msg,
  submitNode,
  type UiInputNode,
  type UiNode,
  type UiNodeGroup,
  uiText,
} from '../flow/index.js';

export type AddressFlowKind = 'verification' | 'recovery';
export type AddressFlowMethod = 'code' | 'link';

/** The first step: the address to send a code or link to. */
export function addressRequestNodes(method: AddressFlowMethod, email?: string): UiInputNode[] {
  return [
    inputNode(method, 'email', 'email', {
      value: email,
      required: true,
      autocomplete: 'email',
      metaLabel: uiText(Msg.InfoNodeLabelEmail),
    }),
    submitNode(
      method,
      'method',
      method,
      uiText(method === 'code' ? Msg.InfoNodeLabelContinue : Msg.InfoNodeLabelSubmit),
    ),
  ];
}

/** After a code was sent: the code input, and the address again as a "Resend code" button. */
export function codeEntryNodes(
  kind: AddressFlowKind,
  address: string | undefined,
  resendName: AddressVia = 'email',
): UiInputNode[] {
  const nodes: UiInputNode[] = [
    inputNode('code', 'code', 'text', {
      required: true,
      autocomplete: 'one-time-code',
      pattern: '[0-9]+',
      maxlength: 6,
      metaLabel: uiText(
        kind === 'verification' ? Msg.InfoNodeLabelVerificationCode : Msg.InfoNodeLabelRecoveryCode,
      ),
    }),
    inputNode('code', 'method', 'hidden', { value: 'code' }),
    submitNode('code', 'method', 'code', uiText(Msg.InfoNodeLabelContinue)),
  ];
  // "Resend code", named by the address's `via` as Kratos's post-hook verification flow names it
  // (`email`, or `sms` for a phone number).
  if (address !== undefined && address !== '') {
    nodes.push(submitNode('code', resendName, address, uiText(Msg.InfoNodeLabelResendOTP)));
  }
  return nodes;
}

/** After a link was sent: the address prefilled, to send another. */
export function linkSentNodes(email: string): UiInputNode[] {
  return addressRequestNodes('link', email);
}

/** The "Continue" link a finished flow shows. */
export function continueLinkNode(group: UiNodeGroup, href: string): UiNode {
  const title = uiText(Msg.InfoNodeLabelContinue);
  return {
    type: 'a',
    group,
    attributes: { href, title, id: 'continue', node_type: 'a' },
    messages: [],
    meta: { label: title },
  };
}
