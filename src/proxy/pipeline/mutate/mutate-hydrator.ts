import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { parseDuration } from '../../../kernel/duration.js';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { internalError } from '../errors.js';
import { type Mutator, oathkeeperDefinition, type Prepared } from '../handler.js';
import { exchangeWithRetry, NO_RETRY, prepareRetry, type RetryPolicy } from '../retry.js';
import type { AuthenticationSession, PipelineRequest } from '../session.js';
import { goQueryEncode } from './go-query.js';
import { decodeSession, encodeSession, type HydratedSession } from './hydrator-session.js';

interface HydratorConfig {
  http: OutboundHttp;
  url: string;
  /** `Basic ...` from `api.auth.basic`, when set. */
  authorization: string | undefined;
  retry: RetryPolicy;
  /** Answers by API URL and sent session; undefined unless `cache.enabled`. */
  cache: LRUCache<string, HydratedSession> | undefined;
}

/** Hydrated sessions kept per rule; the least recently used go first. */
const CACHE_ENTRIES = 10_000;

/** Oathkeeper's error texts (mutator_hydrator.go), kept as the reasons. */
const NON_200 = 'The call to an external API returned a non-200 HTTP response';
const MALFORMED = 'The call to an external API returned an invalid JSON object';
const INVALID_CREDENTIALS = 'Invalid credentials were provided in mutator configuration';
const NO_CREDENTIALS = 'No credentials were provided in mutator configuration';

/** Request headers never copied to the API: framing, hop-by-hop, and the ones we set. */
const NOT_FORWARDED = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'http2-settings',
]);

/**
 * `hydrator`: POSTs the session as JSON (`{subject, extra, header, match_context}`) to
 * `api.url`, with the client's request headers and query (which replaces any query of
 * `api.url`, as in Oathkeeper), and replaces the session's extra, header and
 * match context with the answer, so later mutators (`header`, `id_token`) template the
 * hydrated values. The answer must keep the subject. With `cache.enabled`, answers are reused
 * for `cache.ttl` (default 1m) per API URL and sent session (request headers and URL, so the
 * query too, included).
 */
export const hydratorMutator: Mutator<HydratorConfig> = {
  id: 'hydrator',
  configSchema: oathkeeperDefinition('configMutatorsHydrator'),
  prepare(raw, deps): Prepared<HydratorConfig> {
    // The schema has checked these shapes.
    const api = (raw.api ?? {}) as {
      url?: string;
      auth?: { basic?: { username: string; password: string } };
      retry?: unknown;
    };
    let url: URL;
    try {
      url = new URL(String(api.url));
    } catch {
      return { ok: false, message: 'api.url is not an absolute URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, message: 'api.url must be an http or https URL' };
    const retry = api.retry === undefined ? { ok: true as const, config: NO_RETRY } : prepareRetry(api.retry);
    if (!retry.ok) return { ok: false, message: `api.${retry.message}` };
    const basic = api.auth?.basic;
    const cacheConfig = (raw.cache ?? {}) as { enabled?: boolean; ttl?: string };
    let cache: HydratorConfig['cache'];
    if (cacheConfig.enabled === true) {
      const ttl = parseDuration(cacheConfig.ttl ?? '1m');
      if (ttl === undefined || ttl === 0)
        return { ok: false, message: 'cache.ttl must be a positive duration' };
      cache = new LRUCache({ max: CACHE_ENTRIES, ttl });
    }
    return {
      ok: true,
      config: {
        http: deps.http,
        url: url.href,
        authorization:
          basic === undefined
            ? undefined
            : `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`,
        retry: retry.config,
        cache,
      },
    };
  },
  async handle(request, session, config) {
    const sent = encodeSession(session);
    const key = config.cache === undefined ? undefined : cacheKey(config.url, sent);
    const cached = key === undefined ? undefined : config.cache?.get(key);
    if (cached !== undefined) {
      hydrate(session, cached);
      return { kind: 'ok', headers: {} };
    }
    const result = await exchangeWithRetry(
      config.http,
      { url: apiUrl(request, config), method: 'POST', headers: apiHeaders(request, config), body: sent },
      config.retry,
    );
    if (result.kind === 'failed')
      return { kind: 'error', error: internalError(`hydrator: ${result.reason}`) };
    const { status, body } = result.response;
    if (status === 401)
      return {
        kind: 'error',
        error: internalError(config.authorization === undefined ? NO_CREDENTIALS : INVALID_CREDENTIALS),
      };
    if (status !== 200) return { kind: 'error', error: internalError(`${NON_200} (${status})`) };
    const decoded = decodeSession(body.toString('utf8'));
    if (!decoded.ok) return { kind: 'error', error: internalError(`${MALFORMED}: ${decoded.reason}`) };
    if (decoded.session.subject !== session.subject)
      return { kind: 'error', error: internalError(`${MALFORMED}: the subject changed`) };
    if (key !== undefined) config.cache?.set(key, decoded.session);
    hydrate(session, decoded.session);
    // The session's headers were replaced wholesale above (headers the answer drops are gone).
    return { kind: 'ok', headers: {} };
  },
};

/**
 * `api.url` with the request's query in place of its own: Oathkeeper sets
 * `req.URL.RawQuery = r.URL.Query().Encode()`, so the API's own query is dropped even when the
 * request has none, and the request's is re-encoded (sorted by name).
 */
function apiUrl(request: PipelineRequest, config: HydratorConfig): string {
  const url = new URL(config.url);
  const query = goQueryEncode(request.url.search.slice(1));
  url.search = query === '' ? '' : `?${query}`;
  return url.href;
}

/** The client's request headers (as Oathkeeper copies them), then basic auth and the JSON type. */
function apiHeaders(request: PipelineRequest, config: HydratorConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers[name] = typeof value === 'string' ? value : value.join(', ');
  }
  if (config.authorization !== undefined) headers.authorization = config.authorization;
  headers['content-type'] = 'application/json';
  return headers;
}

/**
 * Oathkeeper's key: the configured API URL and the sent session. The session's match context
 * holds the request URL, so requests differing only in their query (sent to the API) differ
 * here too. By digest: the sent session carries every request header and may be large.
 */
function cacheKey(url: string, sent: string): string {
  return createHash('sha256').update(url).update('\n').update(sent).digest('base64url');
}

/** Copies the answer into the session (never shares it: the cache keeps it, mutators change headers). */
function hydrate(session: AuthenticationSession, from: HydratedSession): void {
  session.extra = structuredClone(from.extra);
  session.header = { ...from.header };
  const mc = from.matchContext;
  if (mc.regexpCaptureGroups !== undefined)
    session.matchContext.regexpCaptureGroups = [...mc.regexpCaptureGroups];
  if (mc.url !== undefined) session.matchContext.url = new URL(mc.url.href);
  if (mc.method !== undefined) session.matchContext.method = mc.method;
  if (mc.header !== undefined) session.matchContext.header = structuredClone(mc.header);
}
