import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../../identity/model.js';
import { requestClientIp } from '../../../ratelimit/index.js';
import type { Authenticated } from '../../../session/manager.js';
import { sessionTokenFrom } from '../../../session/request-token.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { sessionAlreadyAvailable } from '../../flow/flow-errors.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../../flow/http-context.js';
import { askedFlowSchema } from '../../flow/identity-schema.js';
import { Msg, uiText } from '../../flow/messages.js';
import type { Submission } from '../../flow/submission.js';
import { isExchangeCallback, tokenExchangeOf } from '../../flow/token-exchange.js';
import { identityDisabledText } from '../../identity-disabled.js';
import { finishLogin } from '../../login/finish.js';
import { oauth2ChallengeOf } from '../../login/oauth2-flow.js';
import { createRegistrationFlow } from '../../registration/flow.js';
import { redirectToProvider } from './authorize.js';
import type { ProviderAccount } from './claims.js';
import type { ProviderClient } from './client.js';
import { oidcIdentifier } from './credentials.js';
import type { OidcDeps } from './deps.js';
import { OidcFailure, unknownProvider } from './errors.js';
import { failOnFlow, showOnFlow } from './flow-failure.js';
import { verifyIdToken } from './id-token.js';
import { completeOidcRegistration } from './registration.js';
import { readOidcSubmission } from './submission.js';

/**
 * `POST /self-service/login?flow=` with `provider`: browsers are sent to the provider; native
 * apps submit the provider's `id_token` (and its nonce) and are signed in at once.
 */
export async function submitOidcLogin(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  submission: Submission,
  current: Authenticated | undefined,
): Promise<FastifyReply> {
  const input = readOidcSubmission(submission);
  const client = deps.clients.get(input.provider);
  if (!client) throw unknownProvider(input.provider);
  try {
    if (input.idToken !== undefined) {
      const claims = await verifyIdToken(client, input.idToken, input.idTokenNonce);
      return await completeOidcLogin(
        deps,
        request,
        reply,
        flow,
        client,
        { claims, tokens: undefined },
        { transientPayload: input.transientPayload, current },
      );
    }
    return await redirectToProvider(deps, request, reply, flow, client, input);
  } catch (error) {
    if (error instanceof OidcFailure) return failOnFlow(deps, request, reply, flow, error);
    throw error;
  }
}

/** The session a request carries, if any and usable. */
async function currentSession(deps: OidcDeps, request: FastifyRequest): Promise<Authenticated | undefined> {
  const token = sessionTokenFrom(request, deps.login.tokens);
  return token === undefined ? undefined : deps.login.sessions.authenticate(token);
}

/** What the sign-in brings beside the provider's account. */
export interface OidcLoginContext {
  /** The submission's `transient_payload` (carried through the provider round trip), for web hooks. */
  transientPayload: JsonObject | undefined;
  /** The session the submission carried, when it was read already. */
  current?: Authenticated;
}

/**
 * A provider vouched for `account.claims.sub`: the identity with that `(provider, subject)` credential
 * signs in — never one found by email. A subject nobody has yet registers, as in Kratos.
 */
export async function completeOidcLogin(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  account: ProviderAccount,
  context: OidcLoginContext,
): Promise<FastifyReply> {
  const { transientPayload } = context;
  // The system browser of a native app's exchange may hold a session of its own: not the app's.
  const current = isExchangeCallback(request)
    ? undefined
    : (context.current ?? (await currentSession(deps, request)));
  if (current && !flow.refresh) {
    const returnTo = flow.return_to ?? deps.login.config.login.after.returnUrl('oidc');
    if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(returnTo, 303);
    throw sessionAlreadyAvailable('login');
  }
  const identity = await deps.login.identities.findByCredentialIdentifier(
    'oidc',
    oidcIdentifier(client.config.id, account.claims.sub),
  );
  if (identity === undefined) {
    if (!deps.registration.config.registration.enabled || flow.refresh) {
      return showOnFlow(deps, request, reply, flow, [uiText(Msg.ErrorValidationInvalidCredentials)]);
    }
    return registerInstead(deps, request, reply, flow, client, account, transientPayload);
  }
  if (identity.state !== 'active') {
    return showOnFlow(deps, request, reply, flow, [identityDisabledText()]);
  }
  return finishLogin(deps.login, request, reply, flow, {
    identity,
    method: 'oidc',
    provider: client.config.id,
    current: flow.refresh ? current : undefined,
    transientPayload,
    ip: requestClientIp(request, deps.login.trustedProxies) ?? null,
    refuse: (_fields, form) => showOnFlow(deps, request, reply, flow, form),
  });
}

/**
 * Kratos's login-to-registration switch: a new registration flow takes the account on, and the
 * login's transient payload with it (registrationFlow.TransientPayload = loginFlow.TransientPayload).
 */
async function registerInstead(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  account: ProviderAccount,
  transientPayload: JsonObject | undefined,
): Promise<FastifyReply> {
  const secret = flow.type === 'browser' ? ensureCsrfSecret(request, reply, deps.login.cookies) : undefined;
  const registration = await createRegistrationFlow(deps.registration, {
    type: flow.type,
    requestUrl: flow.request_url,
    returnTo: flow.return_to,
    // As Kratos, the schema asked for carries over when the login becomes a registration.
    identitySchema: askedFlowSchema(flow),
    tokenExchange: tokenExchangeOf(flow),
    // An Ory Hydra login served by the login is served by the registration that replaces it, so
    // the person still goes back to Hydra (Kratos copies OAuth2LoginChallenge across the switch).
    oauth2Challenge: oauth2ChallengeOf(flow),
    ...(secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) }),
  });
  // A registration by any door runs the registration `before` hooks (Kratos's NewRegistrationFlow
  // runs PreRegistrationHook), so "Sign in with X" cannot bypass one that refuses sign-ups.
  const refused = await deps.registration.hooks?.before('registration', request, registration);
  if (refused) throw refused;
  return completeOidcRegistration(deps, request, reply, registration, client, account, {
    traits: {},
    transientPayload,
  });
}
