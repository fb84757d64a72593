/**
 * Oathkeeper's decision API (`/decisions/*`): the forward-auth endpoint of Traefik, nginx
 * `auth_request` and Envoy. The request to decide on is rebuilt from `X-Forwarded-Method`,
 * `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Uri` (each falling back to the
 * decision request itself, path minus `/decisions`), normalised, matched and run through the
 * rule's pipeline. 200 carries the mutated headers (minus those a mutator may not set, see
 * headers.ts) and nothing else; errors are the error handler's answer. Every method is taken.
 *
 * A request body (Envoy ext_authz's `with_request_body`) is offered to the pipeline and read
 * only when a handler asks for it (the `remote` authorizer), up to its limit.
 */

import { type IncomingHttpHeaders, METHODS } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { PRIVATE_NO_STORE } from '../kernel/cache-control.js';
import type { AccessControl } from './access.js';
import { mutableHeaders } from './headers.js';
import type { MaybePromise } from './pipeline/handler.js';
import {
  type CompiledPipeline,
  handlePipelineError,
  invalidRuleMatched,
  noRuleMatched,
  type PipelineRequest,
  type PipelineResult,
  runPipeline,
  severalRulesMatched,
} from './pipeline/index.js';
import type { RequestBody } from './pipeline/session.js';
import { discardUnreadBody, requestBodyOf } from './request-body.js';
import { type MatchResult, normaliseRequestTarget } from './rules/index.js';

export const DECISION_PATH = '/decisions';

/** What the listener writes back. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** An allowed decision: an empty 200 with `headers` only (no Content-Type nor Cache-Control). */
  allowed?: true;
}

/** The request to decide on, as the gateway describes it. */
export interface DecisionInput {
  method: string;
  /** `http`/`https` of the decision request itself (before `X-Forwarded-Proto`). */
  scheme: string;
  /** The request-target of the decision request (`/decisions/path?query`). */
  target: string;
  headers: IncomingHttpHeaders;
  remoteAddress?: string | undefined;
  /** The decision request's body, when it has one. */
  body?: RequestBody | undefined;
}

/** Oathkeeper's decision semantics: forwarded values win, the decision request fills the gaps. */
export function decisionRequestTarget(input: DecisionInput): {
  method: string;
  scheme: string;
  host: string;
  target: string;
} {
  const forwarded = (name: string): string | undefined => {
    const value = input.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === '' ? undefined : first;
  };
  let ownTarget = input.target.startsWith(DECISION_PATH)
    ? input.target.slice(DECISION_PATH.length)
    : input.target;
  if (ownTarget === '' || ownTarget.startsWith('?')) ownTarget = `/${ownTarget}`;
  return {
    method: forwarded('x-forwarded-method') ?? input.method,
    scheme: forwarded('x-forwarded-proto') ?? input.scheme,
    host: forwarded('x-forwarded-host') ?? forwarded('host') ?? '',
    target: forwarded('x-forwarded-uri') ?? ownTarget,
  };
}

/**
 * Decides one request: 200 with the upstream headers, or the error handler's answer. A promise
 * only when a pipeline handler had to wait (see runPipeline).
 */
export function decide(access: AccessControl, input: DecisionInput): MaybePromise<HttpAnswer> {
  const wanted = decisionRequestTarget(input);
  const normalised = normaliseRequestTarget({
    scheme: wanted.scheme,
    host: wanted.host,
    target: wanted.target,
  });
  if (!normalised.ok) return badUrl(normalised.reason === 'too_long' ? 414 : 400, normalised.message);
  const match = access.repository.match(wanted.method, normalised.url);
  const request = pipelineRequest(wanted.method, match, input.headers, input.remoteAddress, input.body);
  if (match.kind === 'bad_url') return badUrl(match.reason === 'too_long' ? 414 : 400, match.message);
  if (request === undefined) return badUrl(400, 'unusable URL');
  if (match.kind === 'no_rule') return handlePipelineError(access.withoutRule(), noRuleMatched(), request);
  if (match.kind === 'too_many_rules')
    return handlePipelineError(access.withoutRule(), severalRulesMatched(), request);
  if (match.kind === 'invalid_rule') return invalidRuleAnswer(access, match, request);
  const pipeline = access.pipeline(match.rule);
  const result = runPipeline(pipeline, request);
  return result instanceof Promise
    ? result.then((settled) => decisionAnswer(pipeline, settled, request))
    : decisionAnswer(pipeline, result, request);
}

function decisionAnswer(
  pipeline: CompiledPipeline,
  result: PipelineResult,
  request: PipelineRequest,
): HttpAnswer {
  if (result.kind === 'error') return handlePipelineError(pipeline, result.error, request);
  return { status: 200, headers: mutableHeaders(result.headers), body: '', allowed: true };
}

/**
 * A request matched an invalid rule: it fails closed, a 500 through the `errors.fallback`
 * handlers (the rule's own may be what is broken), as Oathkeeper's handler fails on it.
 */
export function invalidRuleAnswer(
  access: AccessControl,
  match: Extract<MatchResult, { kind: 'invalid_rule' }>,
  request: PipelineRequest,
): HttpAnswer {
  const first = match.issues[0];
  const reason =
    first === undefined ? undefined : `${first.field === '' ? '' : `${first.field}: `}${first.message}`;
  return handlePipelineError(access.withoutRule(), invalidRuleMatched(reason), request);
}

/** The pipeline's view of a matched (or unmatched) request. */
export function pipelineRequest(
  method: string,
  match: MatchResult,
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  body?: RequestBody | undefined,
): PipelineRequest | undefined {
  if (match.kind === 'bad_url') return undefined;
  let url: URL;
  try {
    url = new URL(match.url.href);
  } catch {
    return undefined;
  }
  return {
    method,
    url,
    headers,
    captureGroups: match.kind === 'matched' ? match.captures : [],
    ...(remoteAddress !== undefined ? { remoteAddress } : {}),
    ...(body !== undefined ? { body } : {}),
  };
}

/** A URL refused before matching: Oathkeeper's JSON error shape. */
export function badUrl(status: 400 | 414, message: string): HttpAnswer {
  return jsonError(status, status === 400 ? 'Bad Request' : 'URI Too Long', message);
}

/** `{"error":{"code","status","message"}}`, as herodot writes it. */
export function jsonError(code: number, status: string, message: string): HttpAnswer {
  return {
    status: code,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ error: { code, status, message } }),
  };
}

/**
 * Every method Node's HTTP parser accepts, as Oathkeeper's `/decisions` takes any method (Envoy
 * ext_authz forwards WebDAV's `PROPFIND`, `REPORT`, `MKCOL`, `LOCK`..., and `PURGE`), except
 * `CONNECT`, which Node hands to a `connect` listener rather than to the request handler.
 */
export const DECISION_METHODS: readonly string[] = METHODS.filter((method) => method !== 'CONNECT');

/**
 * `/decisions` and `/decisions/*`, every method. Bodies are never parsed: the pipeline reads
 * one on demand (see {@link requestBodyOf}); what nobody read is discarded after the answer.
 * An allowed decision is an empty 200 with the mutated headers only (no `Content-Type`, no
 * `Cache-Control`), as Oathkeeper's: a gateway copying the answer's headers upstream by
 * pattern must not overwrite the request's own.
 */
export function decisionRoutes(access: AccessControl) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    // Every content type is accepted and left unread, for the pipeline to read or not.
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    // Methods Fastify does not know yet are routed as POST is (a body may come).
    const known = new Set(app.supportedMethods);
    for (const method of DECISION_METHODS)
      if (!known.has(method)) app.addHttpMethod(method, { hasBody: true });
    const handler = async (
      request: import('fastify').FastifyRequest,
      reply: import('fastify').FastifyReply,
    ): Promise<void> => {
      const raw = request.raw;
      const body = requestBodyOf(raw);
      const answer = await decide(access, {
        method: raw.method ?? 'GET',
        scheme: request.protocol,
        target: raw.url ?? '/',
        headers: raw.headers,
        remoteAddress: raw.socket.remoteAddress,
        body,
      });
      reply.code(answer.status).headers(answer.headers);
      if (answer.allowed === true) await reply.send();
      else await reply.header('cache-control', PRIVATE_NO_STORE).send(answer.body);
      if (body !== undefined) discardUnreadBody(raw);
    };
    const method = [...DECISION_METHODS];
    app.route({ method, url: DECISION_PATH, logLevel: 'warn', handler });
    app.route({ method, url: `${DECISION_PATH}/*`, logLevel: 'warn', handler });
  };
}
