import { type FlowNotice, type FlowType, newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';
import { publicUrl } from '../flow/request-url.js';
import { type UiNode, uiContainer } from '../flow/ui.js';
import { addressRequestNodes, codeEntryNodes, linkSentNodes } from '../nodes/address-flows.js';
import { withNodeMessages } from '../nodes/index.js';
import { withCsrf } from '../verification/flow.js';
import type { RecoveryDeps } from './deps.js';

export interface NewRecoveryFlow extends FlowNotice {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  csrfToken?: string;
  csrfBinding?: string;
  /** Admin-created flows live as long as their code (`expires_in`). */
  lifespanMs?: number;
  /** Messages on the form's nodes (a web hook's refusal), as Kratos's Container.AddMessage. */
  nodeMessages?: Readonly<Record<string, readonly UiText[]>>;
}

/** Builds and stores a recovery flow asking for the address (`choose_method`). */
export async function createRecoveryFlow(
  deps: RecoveryDeps,
  input: NewRecoveryFlow,
): Promise<SelfServiceFlow> {
  const method = deps.config.recovery.use;
  const flow = newFlow({
    kind: 'recovery',
    type: input.type,
    requestUrl: input.requestUrl,
    returnTo: input.returnTo,
    csrfBinding: input.csrfBinding,
    lifespanMs: input.lifespanMs ?? deps.config.recovery.lifespanMs,
    ui: (id) =>
      uiContainer(
        publicUrl(deps.publicBase, `self-service/recovery?flow=${id}`),
        withNodeMessages(
          withCsrf(input.type, input.csrfToken, addressRequestNodes(method)),
          input.nodeMessages ?? {},
        ),
      ),
    notice: input.notice,
    now: deps.now(),
  });
  // As Kratos's recovery.NewFlow (`flow.Active = sqlxx.NullString(strategy.NodeGroup())`): the
  // flow names the method it runs from the start, not only once something was posted.
  const created: SelfServiceFlow = { ...flow, active: method };
  await deps.flows.create(created);
  return created;
}

/** The form once a code or link was sent (`address` empty for an admin-issued code). */
export function recoverySentForm(
  method: 'code' | 'link',
  type: FlowType,
  csrfToken: string | undefined,
  address: string,
): { nodes: UiNode[]; messages: UiText[] } {
  if (method === 'code') {
    return {
      nodes: withCsrf(type, csrfToken, codeEntryNodes('recovery', address)),
      messages: address === '' ? [] : [uiText(Msg.InfoSelfServiceRecoveryEmailWithCodeSent)],
    };
  }
  return {
    nodes: withCsrf(type, csrfToken, linkSentNodes(address)),
    messages: [uiText(Msg.InfoSelfServiceRecoveryEmailSent)],
  };
}
