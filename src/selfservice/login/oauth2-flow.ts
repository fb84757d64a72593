/**
 * A login or registration flow's part in an Ory Hydra login (Kratos's `oauth2_login_challenge`
 * flow field): the challenge is kept in the flow's internal state, shown in its JSON, and once
 * the person is signed in the login request is accepted at Hydra.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  loginChallengeFrom,
  loginRequestJson,
  type OAuth2LoginRequest,
  type OAuth2Provider,
} from '../../hydra/index.js';
import type { JsonValue } from '../../identity/model.js';
import { type AppError, internalError } from '../../kernel/errors.js';
import type { Authenticated } from '../../session/manager.js';
import type { Session } from '../../session/model.js';
import { BrowserLocationChangeRequired } from '../flow/browser-location.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { wantsJson } from '../flow/http-context.js';
import { flowUiUrl } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';

/** The internal-state key of the challenge, named as Kratos's flow field. */
const CHALLENGE = 'oauth2_login_challenge';

/** The challenge a flow serves, if any. */
export function oauth2ChallengeOf(flow: SelfServiceFlow): string | undefined {
  const challenge = flow.internal[CHALLENGE];
  return typeof challenge === 'string' ? challenge : undefined;
}

/** Internal state of a new flow serving `challenge` (nothing without one). */
export function oauth2Internal(challenge: string | undefined): Record<string, JsonValue> {
  return challenge === undefined ? {} : { [CHALLENGE]: challenge };
}

/**
 * Flow JSON (which names the flow's `oauth2_login_challenge`, see serializeFlow) with
 * `oauth2_login_request` when Hydra was asked for it on this request (init and fetch, as Kratos).
 */
export function withOAuth2Fields(
  json: Record<string, JsonValue>,
  flow: SelfServiceFlow,
  loginRequest?: OAuth2LoginRequest,
): Record<string, JsonValue> {
  if (loginRequest === undefined || oauth2ChallengeOf(flow) === undefined) return json;
  return { ...json, oauth2_login_request: loginRequestJson(loginRequest) };
}

/** The `login_challenge` of an init request, refused as Kratos refuses it (see loginChallengeFrom). */
export function initChallenge(
  provider: OAuth2Provider | undefined,
  request: FastifyRequest,
): string | undefined {
  return loginChallengeFrom(request.query as Record<string, unknown>, provider !== undefined);
}

/** Kratos's error when a flow serves a challenge but `oauth2_provider.url` is no longer set. */
function providerGone(): AppError {
  return internalError('oauth2_provider.url is not configured');
}

/** The provider a flow serving a challenge needs. */
export function providerFor(provider: OAuth2Provider | undefined): OAuth2Provider {
  if (provider === undefined) throw providerGone();
  return provider;
}

/**
 * A flow fetch (`GET /self-service/<kind>/flows`) asks Hydra for the login request again, as
 * Kratos: an expired or handled challenge fails the fetch.
 */
export async function loginRequestOnFetch(
  provider: OAuth2Provider | undefined,
  flow: SelfServiceFlow,
): Promise<OAuth2LoginRequest | undefined> {
  const challenge = oauth2ChallengeOf(flow);
  if (challenge === undefined) return undefined;
  return providerFor(provider).hydra.getLoginRequest(challenge);
}

/**
 * A new or fetched flow in its JSON with the OAuth2 fields (native apps, SPAs), or a 303 to the
 * UI for browsers: respondWithFlow, for flows that may serve a challenge.
 */
export function respondWithOAuth2Flow(
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  uiUrl: string,
  loginRequest?: OAuth2LoginRequest,
): FastifyReply {
  if (flow.type === 'api' || wantsJson(request)) {
    return reply.code(200).send(withOAuth2Fields(serializeFlow(flow), flow, loginRequest));
  }
  return reply.redirect(flowUiUrl(uiUrl, flow.id), 303);
}

/** The session a login is accepted for: its id, its identity, and its methods (`amr`). */
interface AcceptedSession {
  sessionId: string;
  identityId: string;
  methods: readonly string[];
}

/** The `method` of each of a session's authentication methods (its JSON or its model). */
function methodsOf(authenticationMethods: unknown): string[] {
  if (!Array.isArray(authenticationMethods)) return [];
  return authenticationMethods
    .map((entry) => (entry as { method?: unknown } | null)?.method)
    .filter((method): method is string => typeof method === 'string');
}

/** Accepts `challenge` at Hydra for `session`; Hydra's `redirect_to`. */
function acceptAtHydra(
  provider: OAuth2Provider,
  challenge: string,
  session: AcceptedSession,
): Promise<string> {
  return provider.hydra.acceptLoginRequest({ challenge, ...session });
}

/**
 * Accepts `challenge` for the session a browser already has, as Kratos does when Hydra may skip
 * the login (`skip: true`) and the person is signed in; Hydra's `redirect_to`.
 */
export function acceptForSignedIn(
  provider: OAuth2Provider | undefined,
  challenge: string,
  current: Authenticated,
): Promise<string> {
  return acceptAtHydra(providerFor(provider), challenge, {
    sessionId: current.session.id,
    identityId: current.session.identityId,
    methods: methodsOf(current.session.json.authentication_methods),
  });
}

/**
 * Accepts the login request a browser flow serves for the session a sign-in just issued (Kratos's
 * PostLoginHook, and the session hook of a registration); Hydra's `redirect_to`, or undefined
 * when the flow serves none. Native flows keep their challenge unused, as in Kratos.
 */
export async function acceptSignIn(
  provider: OAuth2Provider | undefined,
  flow: SelfServiceFlow,
  issued: { session: Pick<Session, 'id' | 'identity_id' | 'authentication_methods'> },
): Promise<string | undefined> {
  const challenge = oauth2ChallengeOf(flow);
  if (challenge === undefined || flow.type !== 'browser') return undefined;
  return acceptAtHydra(providerFor(provider), challenge, {
    sessionId: issued.session.id,
    identityId: issued.session.identity_id,
    methods: methodsOf(issued.session.authentication_methods),
  });
}

/**
 * Where a browser goes once Hydra accepted: a 303 to Hydra. An SPA gets 422
 * `browser_location_change_required` naming it, as Kratos answers a JSON login.
 */
export function sendBrowserToHydra(
  request: FastifyRequest,
  reply: FastifyReply,
  redirectTo: string,
): FastifyReply {
  if (wantsJson(request)) {
    return reply.code(422).send(new BrowserLocationChangeRequired(redirectTo).toJSON());
  }
  return reply.redirect(redirectTo, 303);
}
