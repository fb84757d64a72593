import type { FastifyReply, FastifyRequest } from 'fastify';
import { internalError } from '../../../kernel/errors.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { saveFlowUi } from '../../flow/flow-steps.js';
import { csrfTokenFor, ensureCsrfSecret } from '../../flow/http-context.js';
import { askedFlowSchema } from '../../flow/identity-schema.js';
import { Msg, type UiText, uiText } from '../../flow/messages.js';
import type { UiNode } from '../../flow/ui.js';
import { loginFormAgain } from '../../login/identifier-first.js';
import { registrationFormNodes } from '../../registration/flow.js';
import { flowIdentityId, settingsFormNodes } from '../../settings/flow.js';
import type { OidcDeps } from './deps.js';
import type { OidcFailure } from './errors.js';

/** The message a failure shows: 5000001 when the provider could not be reached, else 4000001. */
export function failureMessage(failure: OidcFailure): UiText {
  return failure.stage === 'unavailable'
    ? uiText(Msg.ErrorSystemGeneric, { reason: failure.message })
    : uiText(Msg.ErrorValidationGeneric, { reason: failure.message });
}

/**
 * The flow's own form, as it is first shown (with a fresh CSRF token for browser flows); an
 * identifier-first login keeps the step it is on.
 */
export async function defaultFormNodes(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<UiNode[]> {
  const csrf =
    flow.type === 'browser' ? csrfTokenFor(ensureCsrfSecret(request, reply, deps.login.cookies)) : undefined;
  switch (flow.kind) {
    case 'login':
      return loginFormAgain(deps.login, flow, csrf);
    case 'registration':
      return registrationFormNodes(deps.registration, askedFlowSchema(flow), csrf);
    case 'settings': {
      const id = flowIdentityId(flow);
      const identity = id === undefined ? undefined : await deps.settings.identities.get(id);
      if (identity === undefined) throw internalError('The settings flow has no identity.');
      return settingsFormNodes(deps.settings, identity, csrf);
    }
    default:
      throw internalError(`The oidc method takes no part in ${flow.kind} flows.`);
  }
}

/** The flow's UI URL for its kind. */
function uiUrl(deps: OidcDeps, flow: SelfServiceFlow): string {
  return flow.kind === 'registration'
    ? deps.registration.config.registration.uiUrl
    : flow.kind === 'settings'
      ? deps.settings.config.settings.uiUrl
      : deps.login.config.login.uiUrl;
}

/**
 * Shows the flow's form again with `messages` (state `show_form` for settings): browsers go back
 * to the flow's UI, JSON clients get 400 with the flow.
 */
export async function showOnFlow(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  messages: UiText[],
  nodes?: UiNode[],
): Promise<FastifyReply> {
  const shown = flow.kind === 'settings' ? { ...flow, state: 'show_form' } : flow;
  return saveFlowUi(
    { flows: deps.login.flows, uiUrl: uiUrl(deps, flow), now: deps.now },
    request,
    reply,
    shown,
    {
      outcome: 'fix',
      active: 'oidc',
      nodes: nodes ?? (await defaultFormNodes(deps, request, reply, flow)),
      messages,
    },
  );
}

/** A failed sign-in with a provider, shown on its flow so the person can try again. */
export function failOnFlow(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  failure: OidcFailure,
): Promise<FastifyReply> {
  request.log.info({ stage: failure.stage, err: failure.cause ?? failure.message }, 'oidc sign-in failed');
  return showOnFlow(deps, request, reply, flow, [failureMessage(failure)]);
}
