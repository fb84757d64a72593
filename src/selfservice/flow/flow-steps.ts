import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { SelfServiceFlow } from './flow.js';
import { FlowExpiredError } from './flow-errors.js';
import {
  type CookieSettings,
  csrfBinding,
  csrfTokenFor,
  ensureCsrfSecret,
  wantsJson,
} from './http-context.js';
import type { UiText } from './messages.js';
import { flowUiUrl, respondWithFlow, respondWithFlowToFix } from './respond.js';
import type { UiNode } from './ui.js';

export interface FlowStepContext {
  flows: FlowStore;
  uiUrl: string;
  now(): Date;
}

/**
 * Stores the flow's new form and answers with it: `fix` (the person must correct something:
 * 400 for JSON clients) or `next` (the flow moved on to its next step: 200).
 */
export async function saveFlowUi(
  context: FlowStepContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  change: { outcome: 'fix' | 'next'; active: string; nodes: UiNode[]; messages?: UiText[] },
): Promise<FastifyReply> {
  const updated: SelfServiceFlow = {
    ...flow,
    active: change.active,
    ui: {
      action: flow.ui.action,
      method: flow.ui.method,
      nodes: change.nodes,
      ...(change.messages ? { messages: change.messages } : {}),
    },
    updated_at: context.now(),
  };
  await context.flows.update(updated);
  return change.outcome === 'fix'
    ? respondWithFlowToFix(request, reply, updated, context.uiUrl)
    : respondWithFlow(request, reply, updated, context.uiUrl);
}

/**
 * An expired flow is replaced by a fresh one of the same type: browsers are sent to it,
 * other clients get 410 self_service_flow_expired naming it (`use_flow_id`).
 */
export async function replaceExpiredFlow(
  context: FlowStepContext & { cookies: CookieSettings },
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  create: (csrf: { csrfToken?: string; csrfBinding?: string }) => Promise<SelfServiceFlow>,
): Promise<FastifyReply> {
  const secret = flow.type === 'browser' ? ensureCsrfSecret(request, reply, context.cookies) : undefined;
  const next = await create(
    secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) },
  );
  if (flow.type === 'browser' && !wantsJson(request))
    return reply.redirect(flowUiUrl(context.uiUrl, next.id), 303);
  throw new FlowExpiredError(flow.expires_at, context.now(), next.id);
}
