import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { flowJsonUrl, type ReplacementMessages, replaceFlow } from '../flow/flow-steps.js';
import { wantsJson } from '../flow/http-context.js';
import { flowUiUrl } from '../flow/respond.js';
import type { RecoveryDeps } from './deps.js';
import { createRecoveryFlow } from './flow.js';

export interface RecoveryRetryOptions {
  /** The new flow's type. */
  type: FlowType;
  messages: ReplacementMessages;
  /** Whose retry answers: the code strategy's or the link strategy's (they differ, see below). */
  strategy: 'code' | 'link';
}

/**
 * As Kratos's retryRecoveryFlow (code strategy) and retryRecoveryFlowWithMessage / …WithError
 * (link strategy): a new flow of `type` (keeping `return_to`) carrying the messages, and the
 * client sent to it with `303`. The code strategy sends native flows and JSON requests to
 * `GET /self-service/recovery/flows?id=` (fetch and @ory/client follow it to the new flow's JSON)
 * and browsers to the recovery UI; the link strategy looks at the new flow's type only: a browser
 * flow's UI whatever the client asked for, a native one's JSON.
 */
export async function retryRecovery(
  deps: RecoveryDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  options: RecoveryRetryOptions,
): Promise<FastifyReply> {
  const { type } = options;
  const next = await replaceFlow(deps, request, reply, type, options.messages, (replacement) =>
    createRecoveryFlow(deps, {
      type,
      requestUrl: flow.request_url,
      returnTo: flow.return_to,
      ...replacement,
    }),
  );
  const toJson = options.strategy === 'link' ? type === 'api' : type === 'api' || wantsJson(request);
  if (toJson) return reply.redirect(flowJsonUrl(deps.publicBase, 'recovery', next.id), 303);
  return reply.redirect(flowUiUrl(deps.config.recovery.uiUrl, next.id), 303);
}
