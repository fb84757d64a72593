import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { JsonObject } from '../../../identity/model.js';
import { badRequest } from '../../../kernel/errors.js';
import { sha256Hex } from '../../../kernel/sha256.js';
import { BrowserLocationChangeRequired } from '../../flow/browser-location.js';
import type { SelfServiceFlow } from '../../flow/flow.js';
import { wantsJson } from '../../flow/http-context.js';
import { tokenExchangeOf } from '../../flow/token-exchange.js';
import type { ProviderClient } from './client.js';
import { NO_BROWSER_BINDING, setContinuityCookie } from './continuity-cookie.js';
import type { OidcDeps } from './deps.js';
import { OidcFailure } from './errors.js';
import { authorizationResponseMode, providerScopes } from './presets.js';
import { withParkedPayload } from './transient-payload.js';

/** The longest a person may spend at the provider, whatever the flow's own lifespan. */
const MAX_ROUND_TRIP_MS = 30 * 60_000;

/**
 * Sends the browser to the provider: a single-use `state` (its hash, the flow, the PKCE verifier
 * and the nonce stored server-side), a continuity cookie that binds the callback to this browser,
 * and the authorization URL — a 303 for HTML forms, 422 `browser_location_change_required` for
 * SPAs. The continuity lives in the database rather than a sealed cookie so that a state can be
 * used only once (deleting its row is atomic) and the verifier and nonce never reach the browser.
 * The submission's `transient_payload` is kept on the flow for this state's callback (see
 * transient-payload.ts).
 */
export async function redirectToProvider(
  deps: OidcDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  client: ProviderClient,
  submitted: { upstreamParameters: Record<string, string>; transientPayload: JsonObject | undefined },
): Promise<FastifyReply> {
  // A native app may send the system browser to the provider only with a session token exchange
  // (`return_session_token_exchange_code`): the browser's session reaches the app through it.
  const exchange = flow.type === 'api' ? tokenExchangeOf(flow) : undefined;
  if (flow.type !== 'browser' && exchange === undefined) {
    throw badRequest(
      'Native apps sign in with a provider by submitting its id_token, or through the system browser with return_session_token_exchange_code=true.',
    );
  }
  const configuration = await client.configuration().catch((error: unknown) => {
    throw new OidcFailure('unavailable', `The provider "${client.config.id}" could not be reached.`, {
      cause: error,
    });
  });
  const now = deps.now();
  const state = oidc.randomState();
  const oidcStyle = client.endpoints.style === 'oidc';
  const nonce = oidcStyle ? oidc.randomNonce() : null;
  const usePkce =
    client.config.pkce === 'force' ||
    (client.config.pkce === 'auto' && oidcStyle && configuration.serverMetadata().supportsPKCE('S256'));
  const verifier = usePkce ? oidc.randomPKCECodeVerifier() : null;
  const expiresAt = new Date(Math.min(flow.expires_at.getTime(), now.getTime() + MAX_ROUND_TRIP_MS));
  // The app's own HTTP client starts the sign-in and the system browser ends it: no cookie can
  // bind the two, and the exchange's two codes take that role.
  const browserHash =
    exchange === undefined
      ? setContinuityCookie(
          reply,
          deps.login.cookies,
          Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)),
        )
      : NO_BROWSER_BINDING;
  const stateHash = sha256Hex(state);
  const parked = withParkedPayload(flow, stateHash, submitted.transientPayload);
  if (parked !== undefined) await deps.login.flows.update({ ...parked, updated_at: now });
  await deps.states.save(
    {
      stateHash,
      flowId: flow.id,
      flowKind: flow.kind,
      provider: client.config.id,
      browserHash,
      pkceVerifier: verifier,
      nonce,
      expiresAt,
      createdAt: now,
    },
    now,
  );

  const parameters: Record<string, string> = {
    ...submitted.upstreamParameters,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: providerScopes(client.config).join(' '),
    state,
  };
  if (nonce !== null) parameters.nonce = nonce;
  const responseMode = authorizationResponseMode(client.config);
  if (responseMode !== undefined) parameters.response_mode = responseMode;
  if (verifier !== null) {
    parameters.code_challenge = await oidc.calculatePKCECodeChallenge(verifier);
    parameters.code_challenge_method = 'S256';
  }
  if (client.config.requestedClaims) parameters.claims = JSON.stringify(client.config.requestedClaims);
  // A refresh must re-authenticate the person at the provider too, whose own session would
  // otherwise answer at once: Kratos's OpenID Connect providers (ProviderGenericOIDC's
  // AuthCodeURLOptions, and those built on it) add prompt=login for a forced (refresh) login flow,
  // over whatever upstream_parameters said. Plain OAuth 2 providers know no prompt.
  if (flow.kind === 'login' && flow.refresh && client.endpoints.style === 'oidc') parameters.prompt = 'login';
  const url = oidc.buildAuthorizationUrl(configuration, parameters).toString();
  if (exchange !== undefined || wantsJson(request)) throw new BrowserLocationChangeRequired(url);
  return reply.redirect(url, 303);
}
