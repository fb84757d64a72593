import { createHash } from 'node:crypto';
import type { OutboundHttp, OutboundResponse } from '../../../kernel/http-client.js';
import { isPlainObject } from '../../template/values.js';
import { internalError, type PipelineError, tooManyRequests } from '../errors.js';
import { type Authenticator, oathkeeperDefinition, type Prepared } from '../handler.js';
import { exchangeWithRetry, prepareRetry, type RetryPolicy, singleAttempt } from '../retry.js';
import type { PipelineRequest } from '../session.js';
import { isHttpUrl, stringArray } from './config-values.js';
import { type CacheSettings, cacheSettingsFromConfig } from './expiring-cache.js';
import { type IntrospectionRequirements, judgeIntrospection } from './oauth2-introspection-result.js';
import { ClientCredentialsTokenSource } from './oauth2-token-source.js';
import { scopeStrategyFromConfig } from './scope-strategy.js';
import { findToken, type TokenFrom, tokenFromConfig } from './token-from.js';

interface CachedIntrospection {
  subject: string;
  extra: Record<string, unknown>;
}

interface IntrospectionConfig {
  http: OutboundHttp;
  introspectionUrl: string;
  required: IntrospectionRequirements;
  tokenFrom: TokenFrom;
  prefix: string;
  preserveHost: boolean;
  /** `introspection_request_headers`, lower-case names. */
  requestHeaders: Record<string, string>;
  retry: RetryPolicy;
  preAuthorization: ClientCredentialsTokenSource | undefined;
  /** Active results by token hash; absent unless `cache.enabled`. */
  cache: CacheSettings<CachedIntrospection> | undefined;
}

/**
 * `max_cost` is counted as entries (Oathkeeper gives every token a cost of 1) and honoured up to
 * this many per rule: its default (10^8) would let one rule hold gigabytes.
 */
export const MAX_CACHED_INTROSPECTIONS = 10_000;
const INTROSPECTION_RESPONSE_BYTES = 256 * 1024;

type Introspected = { ok: true; body: Record<string, unknown> } | { ok: false; error: PipelineError };

/**
 * `oauth2_introspection`: asks an RFC 7662 endpoint about the request's bearer token (from
 * `Authorization: Bearer`, or `token_from`; not responsible without one or when it lacks
 * `prefix`). Subject is `sub`; extra is the response with Oathkeeper's keys on top. An endpoint
 * that cannot be asked (down, non-200, not JSON) is a 500, as in Oathkeeper; its 429 is a 429
 * with its rate-limit headers. The endpoint is asked once, never again on failure.
 */
export const oauth2IntrospectionAuthenticator: Authenticator<IntrospectionConfig> = {
  id: 'oauth2_introspection',
  configSchema: oathkeeperDefinition('configAuthenticatorsOauth2Introspection'),
  prepare(raw, deps): Prepared<IntrospectionConfig> {
    const introspectionUrl = String(raw.introspection_url);
    if (!isHttpUrl(introspectionUrl))
      return { ok: false, message: 'introspection_url must be an absolute http or https URL' };
    const prepared = prepareRetry(raw.retry);
    if (!prepared.ok) return prepared;
    // Oathkeeper's introspection client does not retry (its transport replaces the retrying
    // one), nor does the x/oauth2 client behind pre_authorization: one attempt, whatever comes.
    const retry = { ok: true as const, config: singleAttempt(prepared.config) };
    const requestHeaders = headersFromConfig(raw.introspection_request_headers);
    if (!requestHeaders.ok) return requestHeaders;
    const preAuthorization = preAuthorizationFromConfig(raw.pre_authorization, deps.http, retry.config);
    if (!preAuthorization.ok) return preAuthorization;
    const cache = cacheSettingsFromConfig<CachedIntrospection>(
      raw.cache,
      'max_cost',
      MAX_CACHED_INTROSPECTIONS,
      MAX_CACHED_INTROSPECTIONS,
    );
    if (!cache.ok) return cache;
    return {
      ok: true,
      config: {
        http: deps.http,
        introspectionUrl,
        required: {
          scopes: stringArray(raw.required_scope),
          scopeStrategy: scopeStrategyFromConfig(raw.scope_strategy),
          audiences: stringArray(raw.target_audience),
          issuers: stringArray(raw.trusted_issuers),
        },
        tokenFrom: tokenFromConfig(raw.token_from),
        prefix: typeof raw.prefix === 'string' ? raw.prefix : '',
        preserveHost: raw.preserve_host === true,
        requestHeaders: requestHeaders.config,
        retry: retry.config,
        preAuthorization: preAuthorization.config,
        cache: cache.config,
      },
    };
  },
  async handle(request, _session, config) {
    const token = findToken(request, config.tokenFrom);
    if (token === '' || !token.startsWith(config.prefix)) return { kind: 'not_responsible' };
    const key = config.cache === undefined ? '' : createHash('sha256').update(token).digest('base64url');
    const hit = config.cache?.entries.get(key);
    if (hit !== undefined) return { kind: 'authenticated', subject: hit.subject, extra: hit.extra };
    const introspected = await introspect(request, token, config);
    if (!introspected.ok) return { kind: 'error', error: introspected.error };
    const now = Date.now();
    const verdict = judgeIntrospection(introspected.body, config.required, now);
    if (!verdict.ok) return { kind: 'error', error: verdict.error };
    if (config.cache !== undefined) {
      const { ttlMs } = config.cache;
      // Never past the token's exp; without exp, only for a configured ttl.
      const until = Math.min(
        verdict.expiresAt ?? Number.POSITIVE_INFINITY,
        now + (ttlMs ?? Number.POSITIVE_INFINITY),
      );
      if (Number.isFinite(until))
        config.cache.entries.set(key, { subject: verdict.subject, extra: verdict.extra }, until);
    }
    return { kind: 'authenticated', subject: verdict.subject, extra: verdict.extra };
  },
};

async function introspect(
  request: PipelineRequest,
  token: string,
  config: IntrospectionConfig,
): Promise<Introspected> {
  const form = new URLSearchParams({ token });
  // With no local scope strategy, Oathkeeper leaves the scope check to the endpoint (Hydra does it).
  if (config.required.scopeStrategy === 'none' && config.required.scopes.length > 0)
    form.set('scope', config.required.scopes.join(' '));
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...config.requestHeaders,
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (config.preserveHost) headers['x-forwarded-host'] = request.url.host;
  const posted = await postForm(config, form.toString(), headers);
  if (posted.kind === 'failed') return { ok: false, error: internalError(posted.reason) };
  const { response } = posted;
  // Oathkeeper: helper.NewErrTooManyRequestsWithHeaders; any other non-200 is an error (500).
  if (response.status === 429) return { ok: false, error: tooManyRequests(response.firstHeaders) };
  if (response.status !== 200)
    return {
      ok: false,
      error: internalError(`introspection endpoint answered ${response.status}, expected 200`),
    };
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (!isPlainObject(body))
    return { ok: false, error: internalError('introspection endpoint: the response is not a JSON object') };
  return { ok: true, body };
}

type Posted = { kind: 'response'; response: OutboundResponse } | { kind: 'failed'; reason: string };

/** POSTs to the endpoint, as our own client when `pre_authorization` is on. */
async function postForm(
  config: IntrospectionConfig,
  body: string,
  headers: Record<string, string>,
): Promise<Posted> {
  const source = config.preAuthorization;
  for (let renewed = false; ; renewed = true) {
    let bearer: string | undefined;
    if (source !== undefined) {
      const own = await source.token();
      if (!own.ok) return { kind: 'failed', reason: own.reason };
      bearer = own.token;
    }
    const exchange = await exchangeWithRetry(
      config.http,
      {
        url: config.introspectionUrl,
        method: 'POST',
        headers: bearer === undefined ? headers : { ...headers, authorization: `Bearer ${bearer}` },
        body,
        maxResponseBytes: INTROSPECTION_RESPONSE_BYTES,
      },
      config.retry,
    );
    if (exchange.kind === 'failed')
      return { kind: 'failed', reason: `introspection endpoint: ${exchange.reason}` };
    // Our own token may have been revoked before it expired: get a new one, once.
    if (exchange.response.status === 401 && bearer !== undefined && !renewed) {
      source?.invalidate(bearer);
      continue;
    }
    return { kind: 'response', response: exchange.response };
  }
}

function preAuthorizationFromConfig(
  raw: unknown,
  http: OutboundHttp,
  retry: RetryPolicy,
): Prepared<ClientCredentialsTokenSource | undefined> {
  if (!isPlainObject(raw) || raw.enabled !== true) return { ok: true, config: undefined };
  const tokenUrl = String(raw.token_url);
  if (!isHttpUrl(tokenUrl))
    return { ok: false, message: 'pre_authorization.token_url must be an absolute http or https URL' };
  const grant = {
    tokenUrl,
    clientId: String(raw.client_id),
    clientSecret: String(raw.client_secret),
    scope: stringArray(raw.scope),
    ...(typeof raw.audience === 'string' ? { audience: raw.audience } : {}),
  };
  return { ok: true, config: new ClientCredentialsTokenSource(http, grant, retry) };
}

function headersFromConfig(raw: unknown): Prepared<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(isPlainObject(raw) ? raw : {})) {
    if (typeof value !== 'string')
      return { ok: false, message: `introspection_request_headers.${name} must be a string` };
    headers[name.toLowerCase()] = value;
  }
  return { ok: true, config: headers };
}
