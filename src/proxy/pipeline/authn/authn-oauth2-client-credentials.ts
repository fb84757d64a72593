import { createHmac, randomBytes } from 'node:crypto';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import {
  tooManyRequests,
  unauthorized,
  upstreamInternalError,
  upstreamNotFound,
  upstreamTimeout,
  upstreamUnavailable,
} from '../errors.js';
import { type Authenticator, type AuthnResult, oathkeeperDefinition, type Prepared } from '../handler.js';
import { prepareRetry, type RetryPolicy, singleAttempt } from '../retry.js';
import { basicCredentials, formUnescape } from './basic-credentials.js';
import { isHttpUrl, stringArray } from './config-values.js';
import { type CacheSettings, cacheSettingsFromConfig } from './expiring-cache.js';
import { requestClientCredentialsToken, type TokenGrantResult } from './oauth2-token-request.js';

interface AcceptedClient {
  clientId: string;
}

interface ClientCredentialsConfig {
  http: OutboundHttp;
  tokenUrl: string;
  scope: string[];
  retry: RetryPolicy;
  /** Clients whose credentials the token endpoint accepted, by keyed hash of id and secret. */
  cache: (CacheSettings<AcceptedClient> & { hashKey: Buffer }) | undefined;
}

/** `max_tokens` is honoured up to this many entries per rule. */
export const MAX_CACHED_CLIENTS = 10_000;
const DEFAULT_MAX_TOKENS = 1000;

/**
 * `oauth2_client_credentials`: takes the request's HTTP Basic credentials as an OAuth 2.0
 * client id and secret and performs a client credentials grant with them at `token_url`
 * (requesting `required_scope`). Granted: the subject is the client id. Not responsible
 * without Basic credentials; the token endpoint's failures are answered as Oathkeeper answers
 * them (see {@link grantFailure}).
 */
export const oauth2ClientCredentialsAuthenticator: Authenticator<ClientCredentialsConfig> = {
  id: 'oauth2_client_credentials',
  configSchema: oathkeeperDefinition('configAuthenticatorsOauth2ClientCredentials'),
  prepare(raw, deps): Prepared<ClientCredentialsConfig> {
    const tokenUrl = String(raw.token_url);
    if (!isHttpUrl(tokenUrl))
      return { ok: false, message: 'token_url must be an absolute http or https URL' };
    const retry = prepareRetry(raw.retry);
    if (!retry.ok) return retry;
    const cache = cacheFromConfig(raw.cache);
    if (!cache.ok) return cache;
    return {
      ok: true,
      config: {
        http: deps.http,
        tokenUrl,
        scope: stringArray(raw.required_scope),
        // Oathkeeper's grant goes through golang.org/x/oauth2's plain client, which does not
        // retry: a network failure, 5xx or 429 is answered after the one attempt.
        retry: singleAttempt(retry.config),
        cache: cache.config,
      },
    };
  },
  async handle(request, _session, config) {
    const credentials = basicCredentials(request);
    if (credentials === undefined) return { kind: 'not_responsible' };
    const clientId = formUnescape(credentials.username);
    const clientSecret = formUnescape(credentials.password);
    if (clientId === undefined || clientSecret === undefined)
      return { kind: 'error', error: unauthorized('the client credentials are not properly form-encoded') };
    const cache = config.cache;
    // Keyed by a keyed hash, so the cache never holds (or reveals by lookup) a secret.
    const key =
      cache === undefined
        ? ''
        : createHmac('sha256', cache.hashKey)
            .update(JSON.stringify([clientId, clientSecret]))
            .digest('base64url');
    if (cache?.entries.get(key) !== undefined) return authenticated(clientId);
    const now = Date.now();
    const grant = await requestClientCredentialsToken(
      config.http,
      { tokenUrl: config.tokenUrl, clientId, clientSecret, scope: config.scope },
      config.retry,
    );
    if (grant.kind !== 'granted') return { kind: 'error', error: grantFailure(grant) };
    if (cache !== undefined) {
      const lifetimeMs = grant.expiresInS === undefined ? Number.POSITIVE_INFINITY : grant.expiresInS * 1000;
      // The shorter of the token's lifetime and cache.ttl; neither known: not cached.
      const until = now + Math.min(lifetimeMs, cache.ttlMs ?? Number.POSITIVE_INFINITY);
      if (Number.isFinite(until)) cache.entries.set(key, { clientId }, until);
    }
    return authenticated(clientId);
  },
};

function authenticated(clientId: string): AuthnResult {
  return { kind: 'authenticated', subject: clientId, extra: {} };
}

/**
 * Oathkeeper's Authenticate: a token endpoint answering 429 is a 429 with its rate-limit
 * headers (helper.NewErrTooManyRequestsWithHeaders); 503, 500, 504 or 404 is that upstream
 * error (helper.ErrUpstreamServiceNotAvailable, ...InternalServerError, ...Timeout, ...NotFound);
 * any other non-2xx (400, 401, 502...) is 401; no answer at all, or a 2xx without an
 * access_token (x/oauth2 returns a plain error, not a RetrieveError), is 503.
 */
function grantFailure(grant: Exclude<TokenGrantResult, { kind: 'granted' }>) {
  if (grant.kind === 'unavailable') return upstreamUnavailable(grant.reason);
  switch (grant.status) {
    case 429:
      return tooManyRequests(grant.headers);
    case 503:
      return upstreamUnavailable(grant.reason);
    case 500:
      return upstreamInternalError(grant.reason);
    case 504:
      return upstreamTimeout(grant.reason);
    case 404:
      return upstreamNotFound(grant.reason);
    default:
      return unauthorized(grant.reason);
  }
}

function cacheFromConfig(raw: unknown): Prepared<ClientCredentialsConfig['cache']> {
  const settings = cacheSettingsFromConfig<AcceptedClient>(
    raw,
    'max_tokens',
    DEFAULT_MAX_TOKENS,
    MAX_CACHED_CLIENTS,
  );
  if (!settings.ok) return settings;
  if (settings.config === undefined) return { ok: true, config: undefined };
  return { ok: true, config: { ...settings.config, hashKey: randomBytes(32) } };
}
