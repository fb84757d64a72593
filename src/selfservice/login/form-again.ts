import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SelfServiceFlow } from '../flow/flow.js';
import { saveFlowUi } from '../flow/flow-steps.js';
import type { LoginDeps } from './deps.js';

/**
 * The login form shown again for the person to fix something (400 with the flow for JSON
 * clients, 303 to the UI for browsers), `active` naming the method that answered.
 */
export function showLoginFormAgain(
  deps: LoginDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  ui: { nodes: SelfServiceFlow['ui']['nodes']; messages?: SelfServiceFlow['ui']['messages'] },
  active = 'password',
): Promise<FastifyReply> {
  return saveFlowUi(
    { flows: deps.flows, uiUrl: deps.config.login.uiUrl, now: deps.now },
    request,
    reply,
    flow,
    {
      outcome: 'fix',
      active,
      ...ui,
    },
  );
}
