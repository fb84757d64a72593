import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowStore } from '../../persistence/flow-store.js';
import type { FlowType, SelfServiceFlow } from '../flow/flow.js';
import {
  type FlowReplacement,
  type ReplacementMessages,
  replaceExpiredFlow,
  replaceFlow,
} from '../flow/flow-steps.js';
import type { CookieSettings } from '../flow/http-context.js';

/** What a recovery or verification flow that replaces another is made from. */
export interface SuccessorInput extends FlowReplacement {
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
}

/** The flow kind's own maker: createRecoveryFlow or createVerificationFlow, bound to its deps. */
export type CreateSuccessor = (input: SuccessorInput) => Promise<SelfServiceFlow>;

/** What replacing a recovery or verification flow needs of the flow's deps. */
export interface SuccessorDeps {
  flows: FlowStore;
  cookies: CookieSettings;
  publicBase: URL;
  now(): Date;
}

/**
 * The successor of `flow`, of `type`: both kinds keep the flow's request URL and `return_to` in
 * every replacement (expired, retried), so the person still ends where the flow was asked to
 * lead (the kept `return_to` was checked against the allowed URLs when the flow began).
 */
function successorOf(
  flow: SelfServiceFlow,
  type: FlowType,
  create: CreateSuccessor,
): (replacement: FlowReplacement) => Promise<SelfServiceFlow> {
  return (replacement) =>
    create({ type, requestUrl: flow.request_url, returnTo: flow.return_to, ...replacement });
}

/**
 * A new flow of `type` in place of `flow` carrying `messages` (see replaceFlow), for the retry
 * paths of recovery and verification. Where the client is sent is the caller's to say: the two
 * kinds and their strategies answer differently.
 */
export function replaceWithSuccessor(
  deps: Pick<SuccessorDeps, 'cookies'>,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  type: FlowType,
  messages: ReplacementMessages,
  create: CreateSuccessor,
): Promise<SelfServiceFlow> {
  return replaceFlow(deps, request, reply, type, messages, successorOf(flow, type, create));
}

/**
 * An expired recovery or verification flow replaced by one of its type saying so, the client
 * sent to it (see replaceExpiredFlow); `uiUrl` is the kind's UI.
 */
export function replaceExpiredWithSuccessor(
  deps: SuccessorDeps,
  uiUrl: string,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  create: CreateSuccessor,
): Promise<FastifyReply> {
  const context = {
    flows: deps.flows,
    uiUrl,
    now: deps.now,
    cookies: deps.cookies,
    publicBase: deps.publicBase,
  };
  return replaceExpiredFlow(context, request, reply, flow, successorOf(flow, flow.type, create));
}
