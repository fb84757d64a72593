/**
 * Proxy mode (Oathkeeper's port 4455): match, run the rule's pipeline, forward to
 * `upstream.url` with undici, streaming the request and response bodies. A plain `node:http`
 * handler, not Fastify: nothing is parsed or buffered on the way through.
 *
 * - The upstream receives the normalised path that was matched (plus `strip_path`).
 * - Hop-by-hop headers (and those the `Connection` header names) are dropped both ways.
 * - `X-Forwarded-For/Proto/Host` are set; the client's are kept only with
 *   `serve.proxy.trust_forwarded_headers`, otherwise they are removed and never used.
 * - Headers the mutators set always replace same-named client headers (case-insensitive).
 * - Upstream failures answer 502 (or 504 on timeouts) in Oathkeeper's JSON error shape.
 */

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Agent, errors as undiciErrors } from 'undici';
import type { Logger } from '../kernel/logger.js';
import type { AccessControl } from './access.js';
import type { ProxyListenerSettings } from './config.js';
import { badUrl, type HttpAnswer, jsonError, pipelineRequest } from './decision.js';
import { handlePipelineError, noRuleMatched, runPipeline, severalRulesMatched } from './pipeline/index.js';
import type { Rule } from './rules/index.js';
import { normaliseRequestTarget } from './rules/index.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

export interface ReverseProxyOptions {
  access: AccessControl;
  settings: Pick<ProxyListenerSettings, 'trustForwardedHeaders' | 'timeout'>;
  logger: Logger;
}

export interface ReverseProxy {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

export function createReverseProxy(options: ReverseProxyOptions): ReverseProxy {
  const { access, settings, logger } = options;
  const agent = new Agent({
    connect: { timeout: 10_000 },
    headersTimeout: settings.timeout.writeMs,
    bodyTimeout: settings.timeout.writeMs,
    keepAliveTimeout: 4_000,
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const trusted = settings.trustForwardedHeaders;
    const ownScheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
    const scheme = (trusted ? first(req.headers['x-forwarded-proto']) : undefined) ?? ownScheme;
    const host = (trusted ? first(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host ?? '';
    // Untrusted forwarding headers are gone before anything (pipeline, templates, upstream) reads them.
    const headers: IncomingHttpHeaders = { ...req.headers };
    if (!trusted) for (const name of FORWARDED) delete headers[name];

    const normalised = normaliseRequestTarget({ scheme, host, target: req.url ?? '/' });
    if (!normalised.ok)
      return write(res, badUrl(normalised.reason === 'too_long' ? 414 : 400, normalised.message));
    const match = access.repository.match(method, normalised.url);
    if (match.kind === 'bad_url')
      return write(res, badUrl(match.reason === 'too_long' ? 414 : 400, match.message));
    const request = pipelineRequest(method, match, headers, req.socket.remoteAddress);
    if (request === undefined) return write(res, badUrl(400, 'unusable URL'));
    if (match.kind === 'no_rule')
      return write(res, handlePipelineError(access.withoutRule(), noRuleMatched(), request));
    if (match.kind === 'too_many_rules')
      return write(res, handlePipelineError(access.withoutRule(), severalRulesMatched(), request));
    const pipeline = access.pipeline(match.rule);
    const result = await runPipeline(pipeline, request);
    if (result.kind === 'error') return write(res, handlePipelineError(pipeline, result.error, request));

    const target = upstreamTarget(match.rule, match.url.path, match.url.query);
    if (target === undefined)
      return write(res, jsonError(500, 'Internal Server Error', 'rule has no upstream'));

    const out = upstreamHeaders(headers, result.headers);
    out.host = match.rule.upstream.preserve_host ? (req.headers.host ?? target.host) : target.host;
    const clientIp = req.socket.remoteAddress ?? '';
    const priorFor = trusted ? joined(req.headers['x-forwarded-for']) : undefined;
    out['x-forwarded-for'] = priorFor !== undefined ? `${priorFor}, ${clientIp}` : clientIp;
    out['x-forwarded-proto'] = scheme;
    out['x-forwarded-host'] = host;

    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    let upstream: Awaited<ReturnType<Agent['request']>>;
    try {
      upstream = await agent.request({
        origin: target.origin,
        path: target.path,
        method: method as 'GET',
        headers: out,
        body: hasBody && method !== 'GET' && method !== 'HEAD' ? req : null,
      });
    } catch (error) {
      logger.warn({ err: error, rule: match.rule.id, upstream: target.origin }, 'upstream request failed');
      return write(res, upstreamFailure(error));
    }
    const responseHeaders: Record<string, string | string[]> = {};
    const connectionListed = listedInConnection(upstream.headers.connection);
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name)) continue;
      responseHeaders[name] = value;
    }
    res.writeHead(upstream.statusCode, responseHeaders);
    upstream.body.on('error', (error) => {
      logger.warn({ err: error, rule: match.rule.id }, 'upstream response aborted');
      res.destroy(error);
    });
    res.on('close', () => {
      if (!upstream.body.destroyed) upstream.body.destroy();
    });
    upstream.body.pipe(res);
  }

  return {
    handle(req, res) {
      serve(req, res).catch((error: unknown) => {
        logger.error({ err: error }, 'proxy request failed');
        if (!res.headersSent)
          write(res, jsonError(500, 'Internal Server Error', 'An internal server error occurred'));
        else res.destroy();
      });
    },
    close: () => agent.close(),
  };
}

/**
 * Oathkeeper's configureBackendURL: the upstream's path joined with the request's (normalised)
 * path. `strip_path` removes that prefix from the request path, only at a segment boundary
 * (Oathkeeper replaces its first occurrence anywhere; a prefix is what rules mean).
 */
export function upstreamTarget(
  rule: Rule,
  path: string,
  query: string,
): { origin: string; host: string; path: string } | undefined {
  if (rule.upstream.url === '') return undefined;
  let base: URL;
  try {
    base = new URL(rule.upstream.url);
  } catch {
    return undefined;
  }
  let requestPath = path;
  const strip = rule.upstream.strip_path.replace(/^\/+|\/+$/g, '');
  if (strip !== '') {
    const prefix = `/${strip}`;
    if (requestPath === prefix) requestPath = '/';
    else if (requestPath.startsWith(`${prefix}/`)) requestPath = requestPath.slice(prefix.length);
  }
  const basePath = base.pathname.replace(/^\/+|\/+$/g, '');
  const joinedPath = `/${[basePath, requestPath.replace(/^\/+/, '')].filter((p) => p !== '').join('/')}`;
  return { origin: base.origin, host: base.host, path: `${joinedPath}${query}` };
}

/** Client headers minus hop-by-hop ones, with every mutator header replacing its namesakes. */
export function upstreamHeaders(
  client: IncomingHttpHeaders,
  mutated: Record<string, string>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(client.connection);
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name) || name === 'host')
      continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(mutated)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'host') continue;
    out[lower] = value;
  }
  return out;
}

function listedInConnection(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
}

function upstreamFailure(error: unknown): HttpAnswer {
  const timeout =
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  return timeout
    ? jsonError(504, 'Gateway Timeout', 'The upstream did not answer in time')
    : jsonError(502, 'Bad Gateway', 'The upstream could not be reached');
}

function write(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v.split(',')[0]?.trim();
}

function joined(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value.join(', ') : value;
  return v === undefined || v === '' ? undefined : v;
}
