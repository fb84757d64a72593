import type { FastifyRequest } from 'fastify';
import type { OAuth2LoginRequest, OAuth2Provider } from '../../hydra/index.js';
import { initChallenge, providerFor } from './oauth2-flow.js';

/** The init parameters a login reads; Hydra's login request may change some of them. */
export interface LoginInitQuery {
  refresh?: string;
  return_to?: string;
  aal?: string;
  identity_schema?: string;
  return_session_token_exchange_code?: string;
}

/** A browser login init as Hydra's login request shapes it. */
export interface OAuth2BrowserInit {
  /** The challenge the flow serves; undefined without `login_challenge`. */
  challenge: string | undefined;
  loginRequest: OAuth2LoginRequest | undefined;
  /** The parameters to read: `refresh` and `return_to` as Kratos rewrites them. */
  query: LoginInitQuery;
  /** The flow's `request_url`: the request's own, or with the rewritten parameters. */
  requestUrl: string;
}

/**
 * Kratos's createBrowserLoginFlow before the flow: with a `login_challenge`, Hydra's login
 * request is fetched (an unknown or handled challenge fails the init); unless Hydra may skip
 * the login, the flow is a refresh (a signed-in person proves it is them again); with
 * `oauth2_provider.override_return_to`, Hydra's request_url becomes the flow's return_to, so
 * that a person who switches to registration or recovery comes back to the OAuth2 login.
 */
export async function oauth2BrowserInit(
  provider: OAuth2Provider | undefined,
  request: FastifyRequest,
  requestUrl: string,
): Promise<OAuth2BrowserInit> {
  const query = request.query as LoginInitQuery;
  const challenge = initChallenge(provider, request);
  if (challenge === undefined) return { challenge, loginRequest: undefined, query, requestUrl };
  const { hydra, overrideReturnTo } = providerFor(provider);
  const loginRequest = await hydra.getLoginRequest(challenge);
  const rewritten: Record<string, string> = {};
  if (!loginRequest.skip) rewritten.refresh = 'true';
  if (overrideReturnTo && loginRequest.request_url !== '') rewritten.return_to = loginRequest.request_url;
  if (Object.keys(rewritten).length === 0) return { challenge, loginRequest, query, requestUrl };
  return {
    challenge,
    loginRequest,
    query: { ...query, ...rewritten },
    requestUrl: withQuery(requestUrl, rewritten),
  };
}

/** `url` with these parameters set, the query re-encoded in key order as Go's url.Values.Encode. */
function withQuery(url: string, parameters: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(parameters)) parsed.searchParams.set(name, value);
  parsed.searchParams.sort();
  return parsed.toString();
}
