import type { AddressVia } from '../../identity/model.js';
import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { publicUrl } from '../flow/request-url.js';
import { csrfNode, type UiNode, uiContainer } from '../flow/ui.js';
import { addressRequestNodes, codeEntryNodes, linkSentNodes } from '../nodes/address-flows.js';
import { withNodeMessages } from '../nodes/index.js';
import type { VerificationDeps } from './deps.js';

export interface NewVerificationFlow extends FlowNotice {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  csrfToken?: string;
  csrfBinding?: string;
  /** Messages on the form's nodes (a web hook's refusal), as Kratos's Container.AddMessage. */
  nodeMessages?: Readonly<Record<string, readonly UiText[]>>;
}

/** Builds and stores a verification flow asking for the address (`choose_method`). */
export async function createVerificationFlow(
  deps: VerificationDeps,
  input: NewVerificationFlow,
): Promise<SelfServiceFlow> {
  const method = deps.config.verification.use;
  const flow = newFlow({
    kind: 'verification',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    csrfBinding: input.csrfBinding,
    lifespanMs: deps.config.verification.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/verification?flow=${id}`),
        withNodeMessages(
          withCsrf(input.type, input.csrfToken, addressRequestNodes(method)),
          input.nodeMessages ?? {},
        ),
      ),
    notice: input.notice,
    now: deps.now(),
  });
  // As Kratos's verification.NewFlow, which sets `Active` to the node group of the `use`
  // strategy (the primary one of GetActiveVerificationStrategies): the method, from the start.
  const created: SelfServiceFlow = { ...flow, active: method };
  await deps.flows.create(created);
  return created;
}

/**
 * Browser flows carry the CSRF node first. A flow started on the server (after registration)
 * has no browser token yet: its node is empty until the browser fetches the flow.
 */
export function withCsrf(type: FlowType, csrfToken: string | undefined, nodes: UiNode[]): UiNode[] {
  if (type !== 'browser') return nodes;
  return [csrfNode(csrfToken ?? ''), ...nodes];
}

/** The first form again, saying the address is missing. */
export function addressMissingNodes(
  type: FlowType,
  csrfToken: string | undefined,
  method: 'code' | 'link',
): UiNode[] {
  return withCsrf(
    type,
    csrfToken,
    withNodeMessages(addressRequestNodes(method), {
      email: [uiText(Msg.ErrorValidationRequired, { property: 'email' })],
    }),
  );
}

/**
 * The form a send refused by the per-address limit goes back to: the one the flow is on — the
 * code entry (or link sent) form after a send, else the address form with what was typed.
 */
export function throttledSendNodes(
  flow: SelfServiceFlow,
  csrfToken: string | undefined,
  method: 'code' | 'link',
  typed: string | undefined,
  sentNodes: (address: string) => UiNode[],
): UiNode[] {
  const address = typeof flow.internal.address === 'string' ? flow.internal.address : undefined;
  return flow.state === 'sent_email' && address !== undefined
    ? sentNodes(address)
    : withCsrf(flow.type, csrfToken, addressRequestNodes(method, typed));
}

/** The form once a code or link was sent to `address`. */
export function sentForm(
  deps: VerificationDeps,
  type: FlowType,
  csrfToken: string | undefined,
  address: string,
  via: AddressVia = 'email',
): { nodes: UiNode[]; messages: UiText[] } {
  const method = deps.config.verification.use;
  return method === 'code'
    ? {
        nodes: withCsrf(type, csrfToken, codeEntryNodes('verification', address, via)),
        messages: [uiText(Msg.InfoSelfServiceVerificationEmailWithCodeSent)],
      }
    : {
        nodes: withCsrf(type, csrfToken, linkSentNodes(address)),
        messages: [uiText(Msg.InfoSelfServiceVerificationEmailSent)],
      };
}

/**
 * The flow's `internal` once a message went to `address`: the address, and its `via` when that
 * is not email. Whenever the address changes its `via` is set anew, so an SMS flow that later
 * sends an email from its form names its resend button `email` again.
 */
export function withSentAddress(
  internal: SelfServiceFlow['internal'],
  address: string,
  via: AddressVia,
): SelfServiceFlow['internal'] {
  const { address_via: _previous, ...rest } = internal;
  return via === 'email' ? { ...rest, address } : { ...rest, address, address_via: via };
}

/** The `via` of the address a flow in `sent_email` sent to (`email` unless it says otherwise). */
export function sentVia(flow: SelfServiceFlow): AddressVia {
  return flow.internal.address_via === 'sms' ? 'sms' : 'email';
}
