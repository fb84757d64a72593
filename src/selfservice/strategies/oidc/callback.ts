import type { FastifyReply, FastifyRequest } from 'fastify';
import { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import { notFound } from '../../../kernel/errors.js';
import { sha256Hex } from '../../../kernel/sha256.js';
import { isFlowExpired } from '../../flow/flow.js';
import { Msg, uiText } from '../../flow/messages.js';
import { markExchangeCallback, tokenExchangeOf } from '../../flow/token-exchange.js';
import type { ProviderAccount } from './claims.js';
import { matchesContinuityCookie, NO_BROWSER_BINDING } from './continuity-cookie.js';
import type { OidcDeps } from './deps.js';
import { invalidCallbackState, unknownProvider } from './errors.js';
import { exchangeCode } from './exchange.js';
import { failOnFlow, showOnFlow } from './flow-failure.js';
import { completeOidcLogin } from './login.js';
import { completeOidcRegistration } from './registration.js';
import { completeOidcLink } from './settings.js';
import { parkedPayload } from './transient-payload.js';

/**
 * The authorization response: the query of the GET (a `form_post` arrives here as one too, see
 * form-post.ts), each parameter by its first value.
 */
function responseParameters(request: FastifyRequest): URLSearchParams {
  const out = new URLSearchParams();
  const query = request.query;
  if (typeof query !== 'object' || query === null) return out;
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') out.set(name, value);
  }
  return out;
}

/** The callback's `state`; without one nothing can be tied to a flow (Kratos's 400). */
export function requireCallbackState(response: URLSearchParams): string {
  const state = response.get('state');
  if (state === null || state === '') throw invalidCallbackState('The state parameter is missing.');
  return state;
}

/**
 * `GET /self-service/methods/oidc/callback[/{provider}]`: the provider sends the browser back
 * (directly, or by way of the POST of a `form_post`, see form-post.ts). The state must be one
 * this server issued, unused, for this provider, and the browser the one that left (continuity
 * cookie); otherwise nothing happens (400). After that, failures
 * are shown on the flow. Success completes the flow the sign-in started from: login (or
 * registration for a new subject), registration, or linking in settings.
 */
export async function handleCallback(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const response = responseParameters(request);
  const state = requireCallbackState(response);
  const continuity = await deps.states.take(sha256Hex(state));
  if (continuity === undefined)
    throw invalidCallbackState('The state parameter is unknown or was used already.');
  const { provider: routeProvider } = request.params as { provider?: string };
  if (routeProvider !== undefined && routeProvider !== continuity.provider) {
    throw invalidCallbackState('The state parameter belongs to another provider.');
  }
  const unbound = continuity.browserHash === NO_BROWSER_BINDING;
  if (!unbound && !matchesContinuityCookie(request, reply, deps.login.cookies, continuity.browserHash)) {
    throw invalidCallbackState('The sign-in was started in another browser, or its cookie was lost.');
  }
  const now = deps.now();
  if (continuity.expiresAt.getTime() <= now.getTime())
    throw invalidCallbackState('The sign-in took too long.');
  const flow = await deps.login.flows.get(continuity.flowKind, continuity.flowId);
  if (!flow) throw notFound(`The ${continuity.flowKind} flow could not be found.`);
  if (unbound) {
    // Only an api flow with a session token exchange starts an unbound sign-in; its answer goes
    // to the browser as a redirect with the exchange's return-to code.
    if (flow.type !== 'api' || tokenExchangeOf(flow) === undefined) {
      throw invalidCallbackState('The sign-in was started in another browser, or its cookie was lost.');
    }
    markExchangeCallback(request);
  }
  const client = deps.clients.get(continuity.provider);
  if (!client) throw unknownProvider(continuity.provider);
  if (isFlowExpired(flow, now)) {
    return showOnFlow(deps, request, reply, flow, [
      uiText(
        flow.kind === 'registration'
          ? Msg.ErrorValidationRegistrationFlowExpired
          : Msg.ErrorValidationLoginFlowExpired,
        { expired_at: flow.expires_at, now },
      ),
    ]);
  }

  let account: ProviderAccount;
  try {
    const exchanged = await exchangeCode(client, continuity, state, response);
    account = {
      claims: exchanged.claims,
      tokens: SealedProviderTokens.seal(deps.login.cipher, exchanged.tokens),
    };
  } catch (error) {
    return failOnFlow(deps, request, reply, flow, error as Parameters<typeof failOnFlow>[4]);
  }
  // As Kratos's HandleCallback: the flow takes back the payload its submission sent along. A
  // settings link never has one (Kratos's initLinkProvider does not put it in the container).
  const transientPayload = parkedPayload(flow, continuity.stateHash);
  switch (flow.kind) {
    case 'registration':
      return completeOidcRegistration(deps, request, reply, flow, client, account, {
        traits: {},
        transientPayload,
      });
    case 'settings':
      return completeOidcLink(deps, request, reply, flow, client, account);
    default:
      return completeOidcLogin(deps, request, reply, flow, client, account, { transientPayload });
  }
}
