import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CodeMethod } from '../../persistence/code-store.js';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import { flowJsonUrl, type ReplacementMessages } from '../flow/flow-steps.js';
import { wantsJson } from '../flow/http-context.js';
import { flowUiUrl } from '../flow/respond.js';
import { replaceWithSuccessor } from '../one-time/successor.js';
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
 * The retry the strategy of `method` answers a step of `flow` with (an expired secret, a web
 * hook's refusal): Kratos's code strategy makes a new flow of the flow's type (retryRecoveryFlow
 * with f.Type); its link strategy a browser flow (retryRecoveryFlowWithMessage / …WithError with
 * flow.TypeBrowser), since a link is followed in a browser whatever flow it was mailed from.
 */
export function strategyRetry(
  flow: SelfServiceFlow,
  method: CodeMethod,
  messages: ReplacementMessages,
): RecoveryRetryOptions {
  return { type: method === 'link' ? 'browser' : flow.type, messages, strategy: method };
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
  const next = await replaceWithSuccessor(deps, request, reply, flow, type, options.messages, (input) =>
    createRecoveryFlow(deps, input),
  );
  const toJson = options.strategy === 'link' ? type === 'api' : type === 'api' || wantsJson(request);
  if (toJson) return reply.redirect(flowJsonUrl(deps.publicBase, 'recovery', next.id), 303);
  return reply.redirect(flowUiUrl(deps.config.recovery.uiUrl, next.id), 303);
}
