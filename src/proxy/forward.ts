/**
 * What proxy mode does before any byte goes upstream, shared by plain requests
 * (reverse-proxy.ts) and upgrades (upgrade.ts): normalise and match the URL, run the rule's
 * pipeline, and build the upstream target and headers.
 *
 * - The upstream receives the normalised path that was matched (plus `strip_path`).
 * - Hop-by-hop headers (and those the `Connection` header names) are dropped; `TE: trailers`
 *   alone is passed on when the client sent it (as Go's ReverseProxy).
 * - `X-Forwarded-For/Proto/Host` are set; the client's are kept only with
 *   `serve.proxy.trust_forwarded_headers`, otherwise they are removed before anything reads them.
 *   A client's `Forwarded` never reaches the upstream (Go's ReverseProxy always deletes it).
 * - Headers the mutators set always replace same-named client headers (case-insensitive),
 *   except the proxy's own (framing, `Expect`, `Host`) and hop-by-hop ones (headers.ts); client
 *   headers that read as one of them with `_` as `-` (`X_User` for `X-User`) are dropped.
 * - The request body, when there is one, is offered to the pipeline (the `remote` authorizer
 *   reads it); what is left to send upstream is the caller's (`RequestBody.forwardable()`).
 */

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AccessControl } from './access.js';
import type { ProxyListenerSettings } from './config.js';
import { badUrl, type HttpAnswer, invalidRuleAnswer, pipelineRequest } from './decision.js';
import { HOP_BY_HOP, isMutableHeader, listedInConnection, wireHeaderValue } from './headers.js';
import type { MaybePromise } from './pipeline/handler.js';
import {
  type CompiledPipeline,
  handlePipelineError,
  noRuleMatched,
  type PipelineRequest,
  type PipelineResult,
  ruleHasNoUpstream,
  runPipeline,
  severalRulesMatched,
} from './pipeline/index.js';
import type { RequestBody } from './pipeline/session.js';
import type { Rule } from './rules/index.js';
import { normaliseRequestTarget } from './rules/index.js';

const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

export interface UpstreamTarget {
  /** `http(s)://host[:port]`. */
  origin: string;
  host: string;
  /** Path and query. */
  path: string;
}

export type ForwardPlan =
  /** Answer the client directly (bad URL, no rule, pipeline error). */
  | { kind: 'answer'; answer: HttpAnswer }
  | { kind: 'forward'; rule: Rule; target: UpstreamTarget; headers: Record<string, string | string[]> };

export type ForwardSettings = Pick<ProxyListenerSettings, 'trustForwardedHeaders'>;

/**
 * Matches `req`, runs its rule's pipeline and plans the upstream request. `body` is the
 * request's body as the pipeline may read it (none for upgrades).
 */
export function planForward(
  access: AccessControl,
  settings: ForwardSettings,
  req: IncomingMessage,
  body?: RequestBody,
): MaybePromise<ForwardPlan> {
  const method = req.method ?? 'GET';
  const trusted = settings.trustForwardedHeaders;
  const scheme = requestScheme(req, trusted);
  // Rules match the Host the proxy was reached by, as Oathkeeper's EnrichRequestedURL: trusted
  // forwarding headers change the scheme only. (A front proxy that rewrites Host, as nginx's
  // proxy_pass does by default, needs rules written for that Host, in Oathkeeper as here.)
  const ownHost = req.headers.host ?? '';
  const host = (trusted ? first(req.headers['x-forwarded-host']) : undefined) ?? ownHost;
  // Untrusted forwarding headers are gone before anything (pipeline, templates, upstream) reads them.
  const headers = trusted ? req.headers : withoutForwarded(req.headers);

  const normalised = normaliseRequestTarget({ scheme, host: ownHost, target: req.url ?? '/' });
  if (!normalised.ok) return answer(badUrl(normalised.reason === 'too_long' ? 414 : 400, normalised.message));
  const match = access.repository.match(method, normalised.url);
  if (match.kind === 'bad_url') return answer(badUrl(match.reason === 'too_long' ? 414 : 400, match.message));
  const request = withPublicUrl(
    pipelineRequest(method, match, headers, req.socket.remoteAddress, body),
    host === ownHost ? undefined : host,
  );
  if (request === undefined) return answer(badUrl(400, 'unusable URL'));
  if (match.kind === 'no_rule')
    return answer(handlePipelineError(access.withoutRule(), noRuleMatched(), request));
  if (match.kind === 'too_many_rules')
    return answer(handlePipelineError(access.withoutRule(), severalRulesMatched(), request));
  if (match.kind === 'invalid_rule') return answer(invalidRuleAnswer(access, match, request));
  const pipeline = access.pipeline(match.rule);
  const rule = match.rule;
  const url = match.url;
  const plan = (result: PipelineResult): ForwardPlan => {
    if (result.kind === 'error') return answer(handlePipelineError(pipeline, result.error, request));
    return forwardPlan({ req, rule, pipeline, request }, url.path, url.query, headers, result.headers, {
      trusted,
      scheme,
      host,
    });
  };
  const result = runPipeline(pipeline, request);
  return result instanceof Promise ? result.then(plan) : plan(result);
}

/**
 * The scheme rules match. A TLS connection is always `https`: as Oathkeeper's
 * EnrichRequestedURL, which sets `https` for `r.TLS != nil` whatever `X-Forwarded-Proto` says,
 * no header downgrades it. A plain connection is `http`, unless forwarding headers are trusted
 * and the (first) `X-Forwarded-Proto` is exactly `https`, in any case (`wss`, `https, http`
 * do not count). A deliberate difference: Oathkeeper reads `X-Forwarded-Proto` whether or not
 * `trust_forwarded_headers` is set; here an untrusted client cannot choose the scheme rules see.
 */
export function requestScheme(req: IncomingMessage, trusted: boolean): 'http' | 'https' {
  if ((req.socket as TLSSocket).encrypted === true) return 'https';
  if (!trusted) return 'http';
  // Go's Header.Get reads the first field line; Node joins repeated ones with ", ".
  const value = req.headersDistinct?.['x-forwarded-proto']?.[0] ?? req.headers['x-forwarded-proto'];
  return typeof value === 'string' && value.toLowerCase() === 'https' ? 'https' : 'http';
}

/**
 * The pipeline's request with the URL as the person addressed it, when a trusted
 * `X-Forwarded-Host` names another host than the proxy's own: `url` with that host (the
 * scheme is already the forwarded one, see requestScheme), as Oathkeeper's
 * ErrorRedirect.extractURL takes `X-Forwarded-Host` for `return_to`. A value that is not a
 * bare `host[:port]` is ignored.
 */
function withPublicUrl(
  request: PipelineRequest | undefined,
  forwardedHost: string | undefined,
): PipelineRequest | undefined {
  if (request === undefined || forwardedHost === undefined) return request;
  let url: URL;
  try {
    url = new URL(`${request.url.protocol}//${forwardedHost}`);
  } catch {
    return request;
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  if (!bare || url.username !== '' || url.password !== '') return request;
  url.pathname = request.url.pathname;
  url.search = request.url.search;
  return { ...request, publicUrl: url };
}

/** What an allowed request is planned from: the client's request and its matched rule. */
interface Allowed {
  req: IncomingMessage;
  rule: Rule;
  pipeline: CompiledPipeline;
  request: PipelineRequest;
}

/** The upstream request of an allowed one. */
function forwardPlan(
  allowed: Allowed,
  path: string,
  query: string,
  headers: IncomingHttpHeaders,
  mutated: Record<string, string>,
  forwarded: { trusted: boolean; scheme: string; host: string },
): ForwardPlan {
  const { req, rule } = allowed;
  const { trusted, scheme, host } = forwarded;
  const target = upstreamTarget(rule, path, query);
  // As Oathkeeper: ConfigureBackendURL's error goes through the rule's error handlers.
  if (target === undefined)
    return answer(handlePipelineError(allowed.pipeline, ruleHasNoUpstream(), allowed.request));

  const out = upstreamHeaders(headers, mutated);
  out.host = rule.upstream.preserve_host ? (req.headers.host ?? target.host) : target.host;
  // Go's ReverseProxy: `Te: trailers` when the client's TE lists it (the rest of TE is hop-by-hop).
  if (listsToken(req.headers.te, 'trailers')) out.te = 'trailers';
  const clientIp = req.socket.remoteAddress ?? '';
  const priorFor = trusted ? joined(req.headers['x-forwarded-for']) : undefined;
  out['x-forwarded-for'] = priorFor !== undefined ? `${priorFor}, ${clientIp}` : clientIp;
  out['x-forwarded-proto'] = scheme;
  out['x-forwarded-host'] = host;
  return { kind: 'forward', rule, target, headers: out };
}

/**
 * Oathkeeper's ConfigureBackendURL: the upstream's path joined with the request's (normalised)
 * path by string concatenation, `"/" + TrimLeft("/"+Trim(base,"/")+"/"+TrimLeft(path,"/"), "/")`,
 * so a trailing slash is kept, the root's too: upstream `/api`, request `/` is `/api/`.
 * `strip_path` removes that prefix from the request path, only at a segment boundary,
 * before joining: the request path that is exactly the prefix leaves nothing (`/api`), the
 * prefix and a slash leave `/` (`/api/`), as Oathkeeper's result for them. Oathkeeper joins
 * first and then removes the first occurrence of `/<strip_path>` anywhere in the joined path
 * (ory/oathkeeper#1085): upstream `/api/v2`, strip `/api`, request `/api/users` is
 * `/api/v2/users` here, `/v2/api/users` there (see docs/proxy.md, "Proxy mode").
 */
export function upstreamTarget(rule: Rule, path: string, query: string): UpstreamTarget | undefined {
  const base = upstreamBase(rule);
  if (base === undefined) return undefined;
  let requestPath = path;
  if (base.stripPrefix !== undefined) {
    const prefix = base.stripPrefix;
    if (requestPath === prefix) requestPath = '';
    else if (requestPath.startsWith(`${prefix}/`)) requestPath = requestPath.slice(prefix.length);
  }
  const rest = requestPath.replace(LEADING_SLASHES, '');
  let joinedPath: string;
  if (base.basePath === '') joinedPath = `/${rest}`;
  // Nothing left of the request path (it was the strip prefix): the upstream's path as it is.
  else if (requestPath === '') joinedPath = `/${base.basePath}`;
  else joinedPath = `/${base.basePath}/${rest}`;
  return { origin: base.origin, host: base.host, path: `${joinedPath}${query}` };
}

const LEADING_SLASHES = /^\/+/;
const EDGE_SLASHES = /^\/+|\/+$/g;

interface UpstreamBase {
  origin: string;
  host: string;
  /** The upstream URL's path without edge slashes. */
  basePath: string;
  /** `/<strip_path>` without edge slashes, undefined when there is none. */
  stripPrefix: string | undefined;
}

// Rules are immutable: their upstream URL is parsed once, on first use.
const upstreamBases = new WeakMap<Rule, UpstreamBase | null>();

function upstreamBase(rule: Rule): UpstreamBase | undefined {
  const known = upstreamBases.get(rule);
  if (known !== undefined) return known ?? undefined;
  let base: UpstreamBase | null = null;
  if (rule.upstream.url !== '') {
    try {
      const url = new URL(rule.upstream.url);
      const strip = rule.upstream.strip_path.replace(EDGE_SLASHES, '');
      base = {
        origin: url.origin,
        host: url.host,
        basePath: url.pathname.replace(EDGE_SLASHES, ''),
        stripPrefix: strip === '' ? undefined : `/${strip}`,
      };
    } catch {
      base = null;
    }
  }
  upstreamBases.set(rule, base);
  return base ?? undefined;
}

/**
 * Client headers minus hop-by-hop ones and `Forwarded`, with every mutator header replacing its
 * namesakes; mutators cannot set framing, `Expect`, `Host` or hop-by-hop headers (see
 * headers.ts).
 *
 * - `Forwarded` goes whether forwarding headers are trusted or not: Go's ReverseProxy (which
 *   Oathkeeper runs in `Rewrite` mode) always deletes it, and Oathkeeper copies back only the
 *   `X-Forwarded-*` ones. A front proxy that overwrites `X-Forwarded-*` passes a client's
 *   `Forwarded` through, and upstreams that prefer it would believe it.
 * - A client header whose name, with `_` read as `-`, is that of a mutated header is dropped
 *   (`X_User` next to the rule's `X-User`): CGI-style servers (PHP, Rack, WSGI) read both as
 *   `HTTP_X_USER`, so the client's could shadow the rule's. Oathkeeper forwards it; hardening.
 */
export function upstreamHeaders(
  client: IncomingHttpHeaders,
  mutated: Record<string, string>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(client.connection);
  const mutatedNames = mutableNames(mutated);
  for (const name in client) {
    const value = client[name];
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name)) continue;
    // Host is set by the caller; Node has answered an Expect already (and undici refuses one).
    if (name === 'host' || name === 'expect' || name === 'forwarded') continue;
    if (name.includes('_') && mutatedNames.has(name.replaceAll('_', '-'))) continue;
    out[name] = value;
  }
  for (const name in mutated) {
    const lower = name.toLowerCase();
    if (mutatedNames.has(lower)) out[lower] = wireHeaderValue(mutated[name] as string);
  }
  return out;
}

/** The lower-case names of the mutated headers a mutator may set (see isMutableHeader). */
function mutableNames(mutated: Record<string, string>): ReadonlySet<string> {
  const names = new Set<string>();
  for (const name in mutated) {
    const lower = name.toLowerCase();
    if (isMutableHeader(lower)) names.add(lower);
  }
  return names;
}

/** Whether a comma-separated header lists `token` (case-insensitive), as Go's httpguts.HeaderValuesContainsToken. */
function listsToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const text = Array.isArray(value) ? value.join(',') : value;
  return text.split(',').some((part) => part.trim().toLowerCase() === token);
}

/**
 * The client's headers minus the forwarding ones: the same object when it has none (the usual
 * case; nothing writes to it), a copy without them otherwise.
 */
function withoutForwarded(client: IncomingHttpHeaders): IncomingHttpHeaders {
  if (!FORWARDED.some((name) => client[name] !== undefined)) return client;
  const headers: IncomingHttpHeaders = {};
  for (const name in client)
    if (!(FORWARDED as readonly string[]).includes(name)) headers[name] = client[name];
  return headers;
}

function answer(value: HttpAnswer): ForwardPlan {
  return { kind: 'answer', answer: value };
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v.split(',')[0]?.trim();
}

function joined(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value.join(', ') : value;
  return v === undefined || v === '' ? undefined : v;
}
