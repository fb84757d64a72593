import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonValue } from '../../identity/model.js';
import type { SelfServiceFlow } from './flow.js';
import { wantsJson } from './http-context.js';
import { serializeFlow } from './serialize.js';

/** `<ui_url>?flow=<id>`: where a browser sees a flow. */
export function flowUiUrl(uiUrl: string, flowId: string): string {
  const url = new URL(uiUrl);
  url.searchParams.set('flow', flowId);
  return url.toString();
}

/**
 * A flow that needs the person's attention again (validation messages on its nodes): JSON
 * clients get 400 with the updated flow, browsers are sent back to the UI to render it.
 */
export function respondWithFlowToFix(
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  uiUrl: string,
): FastifyReply {
  if (flow.type === 'api' || wantsJson(request)) return reply.code(400).send(serializeFlow(flow));
  return reply.redirect(flowUiUrl(uiUrl, flow.id), 303);
}

/** A flow to show (new, or at its next step): JSON for native apps and SPAs, a 303 to the UI for browsers. */
export function respondWithFlow(
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  uiUrl: string,
): FastifyReply {
  if (flow.type === 'api' || wantsJson(request)) return reply.code(200).send(serializeFlow(flow));
  return reply.redirect(flowUiUrl(uiUrl, flow.id), 303);
}

/** `continue_with` entries as Kratos names them. */
export type ContinueWith =
  | { action: 'redirect_browser_to'; redirect_browser_to: string }
  | { action: 'set_ory_session_token'; ory_session_token: string }
  | { action: 'show_verification_ui'; flow: { id: string; verifiable_address: string; url?: string } }
  | { action: 'show_settings_ui'; flow: { id: string; url?: string } }
  | { action: 'show_recovery_ui'; flow: { id: string; url?: string } };

export function continueWithJson(items: ContinueWith[]): JsonValue {
  return items as unknown as JsonValue;
}
