import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { FlowExpiredError, FlowReplacedError } from '../flow/flow-errors.js';
import { flowJsonUrl, type ReplacementMessages } from '../flow/flow-steps.js';
import { wantsJson } from '../flow/http-context.js';
import { flowUiUrl } from '../flow/respond.js';
import { replaceWithSuccessor } from '../one-time/successor.js';
import type { VerificationDeps } from './deps.js';
import { createVerificationFlow } from './flow.js';

export interface RetryOptions {
  /** The new flow's type. */
  type: FlowType;
  messages: ReplacementMessages;
  /** Whose retry answers: the code strategy's or the link strategy's (they differ, see below). */
  strategy: 'code' | 'link';
  /**
   * When the code had expired: the code strategy answers JSON with Kratos's ExpiredError naming
   * the new flow (410 `self_service_flow_expired`) rather than 410 `self_service_flow_replaced`.
   */
  expiredAt?: Date;
  /** Kratos's retryVerificationFlowWithMessage (the flow passed already) rather than …WithError. */
  withMessage?: boolean;
}

/**
 * As Kratos's retryVerificationFlowWithError / retryVerificationFlowWithMessage: the flow is done
 * for (its code spent, or tried too often, or a link bad, or it passed already), so a new flow of
 * `type` carries the messages. It keeps `return_to`, as recovery's retry does: Kratos's new flow
 * forgets it (its request URL is the submission's, which has none), which would leave the person
 * at the default URL once verified; the kept one was checked against the allowed URLs when the
 * flow began.
 *
 * The code strategy answers a JSON request with 410 naming the new flow (`use_flow_id`) and
 * sends anything else to the new flow's UI with 303. The link strategy looks at the new flow's
 * type only: a browser flow's UI, or for a native one `GET /self-service/verification/flows?id=`
 * (which clients follow), both with 303.
 */
export async function retryVerification(
  deps: VerificationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  options: RetryOptions,
): Promise<FastifyReply> {
  const { type } = options;
  const next = await replaceWithSuccessor(deps, request, reply, flow, type, options.messages, (input) =>
    createVerificationFlow(deps, input),
  );
  if (options.strategy === 'code' && wantsJson(request)) {
    if (options.expiredAt !== undefined) throw new FlowExpiredError(options.expiredAt, deps.now(), next.id);
    throw new FlowReplacedError(next.id, options.withMessage ? 'use_new_flow' : 'retry');
  }
  if (options.strategy === 'link' && type === 'api') {
    return reply.redirect(flowJsonUrl(deps.publicBase, 'verification', next.id), 303);
  }
  return reply.redirect(flowUiUrl(deps.config.verification.uiUrl, next.id), 303);
}
