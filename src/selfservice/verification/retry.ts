import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { FlowReplacedError } from '../flow/flow-errors.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import type { UiText } from '../flow/messages.js';
import { flowUiUrl } from '../flow/respond.js';
import type { VerificationDeps } from './deps.js';
import { createVerificationFlow } from './flow.js';

/** What the flow that replaces a failed one says: on the form, and on its nodes. */
export interface RetryMessages {
  form: readonly UiText[];
  fields?: Readonly<Record<string, readonly UiText[]>>;
}

/**
 * As Kratos's retryVerificationFlowWithError / retryVerificationFlowWithMessage: the flow is done
 * for (its code spent, or tried too often, or a link bad), so a new flow of `type` carries the
 * messages. It keeps `return_to`, as recovery's retry does: Kratos's new flow forgets it (its
 * request URL is the submission's, which has none), which would leave the person at the default
 * URL once verified; the kept one was checked against the allowed URLs when the flow began. A browser, or any request not asking for JSON, is
 * sent to the new flow's UI with 303. The code strategy answers a JSON request with 410
 * `self_service_flow_replaced` naming the new flow (`use_flow_id`); the link strategy, whose
 * retry always makes a browser flow, sends every request to the UI (`jsonReplaced` false).
 */
export async function retryVerification(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  options: { type: FlowType; messages: RetryMessages; jsonReplaced: boolean },
): Promise<FastifyReply> {
  const { type, messages } = options;
  const secret = type === 'browser' ? ensureCsrfSecret(request, reply, deps.cookies) : undefined;
  const next = await createVerificationFlow(deps, {
    type,
    requestUrl: flow.request_url,
    returnTo: flow.return_to,
    notice: [...messages.form],
    ...(messages.fields === undefined ? {} : { nodeMessages: messages.fields }),
    ...(secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) }),
  });
  if (options.jsonReplaced && wantsJson(request)) throw new FlowReplacedError(next.id);
  return reply.redirect(flowUiUrl(deps.config.verification.uiUrl, next.id), 303);
}
