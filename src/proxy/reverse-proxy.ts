/**
 * Proxy mode (Oathkeeper's port 4455) for plain requests: plan the request (forward.ts: match,
 * pipeline, upstream headers), then dispatch it to the upstream origin's undici pool, streaming
 * the request body and writing the answer straight into the response (upstream-response.ts).
 * A plain `node:http` handler, not Fastify: nothing is parsed or buffered on the way through.
 * Upgrades (WebSocket) are upgrade.ts's.
 *
 * - A request body is offered to the pipeline as it arrives (`remote` may read it, up to its
 *   limit). The upstream then gets the untouched stream (nothing was read: the common case
 *   stays zero-copy), or the bytes that were read. GET bodies go upstream as any other (Go's
 *   ReverseProxy keeps them); HEAD bodies never do.
 * - Hop-by-hop headers (and those the upstream's `Connection` names) are dropped from the answer.
 *   The upstream's trailers are relayed when the client sent `TE: trailers`.
 * - With `serve.proxy.cors`, the listener answers preflights and owns the `Access-Control-*`
 *   response headers (the upstream's are dropped), see cors.ts.
 * - Upstream failures answer 502 (or 504 on timeouts) with a JSON body in the shape of
 *   Oathkeeper's other errors; Oathkeeper's own ErrorHandler sends these statuses with an
 *   empty body.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, errors as undiciErrors } from 'undici';
import type { Logger } from '../kernel/logger.js';
import type { AccessControl } from './access.js';
import type { ProxyListenerSettings } from './config.js';
import { type CorsPolicy, mergeVary, PREFLIGHT_STATUS } from './cors.js';
import { type HttpAnswer, jsonError } from './decision.js';
import { type ForwardPlan, planForward } from './forward.js';
import type { RequestBody } from './pipeline/session.js';
import { discardUnreadBody, requestBodyOf } from './request-body.js';
import { upstreamResponseHandler } from './upstream-response.js';

/** How long connecting to an upstream may take (plain requests and upgrades). */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Largest upstream response head accepted (plain answers and WebSocket handshakes), 10 MiB:
 * Go's http.Transport default (`MaxResponseHeaderBytes` 0 means 10 << 20), which Oathkeeper's
 * RoundTrip uses. undici's and Node's default, 16 KiB, is less than an upstream setting a few
 * chunked auth cookies (NextAuth, ASP.NET, OIDC state) sends, which would be a 502. Upstreams
 * are the operator's own; the head is held in memory only while it is parsed.
 */
export const UPSTREAM_MAX_HEADER_BYTES = 10 * 1024 * 1024;

export interface ReverseProxyOptions {
  access: AccessControl;
  settings: Pick<ProxyListenerSettings, 'trustForwardedHeaders' | 'timeout'>;
  logger: Logger;
  /** `serve.proxy.cors`, compiled; undefined when off. */
  cors?: CorsPolicy | undefined;
}

export interface ReverseProxy {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

type Headers = Readonly<Record<string, string>>;

export function createReverseProxy(options: ReverseProxyOptions): ReverseProxy {
  const { access, settings, logger, cors } = options;
  // One connection pool per upstream origin, made on its first request and kept: dispatching
  // to it directly skips the agent's per-request origin lookup.
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connect: { timeout: UPSTREAM_CONNECT_TIMEOUT_MS },
        maxHeaderSize: UPSTREAM_MAX_HEADER_BYTES,
        headersTimeout: settings.timeout.writeMs,
        bodyTimeout: settings.timeout.writeMs,
        keepAliveTimeout: 4_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  function serve(req: IncomingMessage, res: ServerResponse, corsHeaders: Headers | undefined): void {
    const body = requestBodyOf(req);
    const planned = planForward(access, settings, req, body);
    if (planned instanceof Promise)
      planned.then(
        (plan) => forward(req, res, body, plan, corsHeaders),
        (error: unknown) => failed(res, error, corsHeaders),
      );
    else forward(req, res, body, planned, corsHeaders);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: RequestBody | undefined,
    plan: ForwardPlan,
    corsHeaders: Headers | undefined,
  ): void {
    if (plan.kind === 'answer') {
      answerBefore(req, body, res, plan.answer, corsHeaders);
      return;
    }
    const { rule, target } = plan;
    const method = req.method ?? 'GET';
    const upstreamBody = bodyForUpstream(method, body, plan.headers);
    if (upstreamBody === 'spent') {
      logger.error({ rule: rule.id }, 'a pipeline allowed a request whose body it could not read');
      answerBefore(req, body, res, bodyUnavailable(), corsHeaders);
      return;
    }
    const handler = upstreamResponseHandler({
      res,
      cors: corsHeaders,
      trailers: plan.headers.te === 'trailers',
      onFailure(error) {
        logger.warn({ err: error, rule: rule.id, upstream: target.origin }, 'upstream request failed');
        write(res, upstreamFailure(error), corsHeaders);
      },
      onAborted(error) {
        logger.warn({ err: error, rule: rule.id }, 'upstream response aborted');
      },
    });
    poolFor(target.origin).dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: method as 'GET',
        headers: plan.headers,
        body: upstreamBody,
      },
      handler,
    );
  }

  function failed(res: ServerResponse, error: unknown, corsHeaders: Headers | undefined): void {
    logger.error({ err: error }, 'proxy request failed');
    if (!res.headersSent)
      write(res, jsonError(500, 'Internal Server Error', 'An internal server error occurred'), corsHeaders);
    else res.destroy();
  }

  return {
    handle(req, res) {
      let corsHeaders: Headers | undefined;
      if (cors !== undefined) {
        const preflight = cors.preflight(req.method ?? 'GET', req.headers);
        if (preflight !== undefined) {
          res.writeHead(PREFLIGHT_STATUS, { ...preflight, 'content-length': '0' });
          res.end();
          return;
        }
        corsHeaders = cors.actual(req.method ?? 'GET', req.headers.origin);
      }
      try {
        serve(req, res, corsHeaders);
      } catch (error) {
        failed(res, error, corsHeaders);
      }
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}

/**
 * What goes upstream: the untouched request stream when no handler read it, the bytes one read,
 * null when there is no body (or the request is a HEAD: its `Content-Length` is dropped then),
 * 'spent' when a read failed yet the pipeline allowed the request (no handler does; refused).
 * A GET body is forwarded as any other, as Go's ReverseProxy forwards it (Elasticsearch's
 * `GET _search` carries its query so); undici then closes that connection after the answer.
 */
function bodyForUpstream(
  method: string,
  body: RequestBody | undefined,
  headers: Record<string, string | string[]>,
): Readable | Buffer | null | 'spent' {
  if (body === undefined) return null;
  if (method === 'HEAD') {
    delete headers['content-length'];
    return null;
  }
  const forwardable = body.forwardable();
  if (forwardable.kind === 'stream') return forwardable.stream;
  // A chunked body that was read goes as bytes; undici frames it with their length.
  if (forwardable.kind === 'bytes') return forwardable.bytes;
  return 'spent';
}

/** Answers without going upstream, then drops what is left of the request body, if any. */
function answerBefore(
  req: IncomingMessage,
  body: RequestBody | undefined,
  res: ServerResponse,
  answer: HttpAnswer,
  cors: Headers | undefined,
): void {
  write(res, answer, cors);
  if (body !== undefined) discardUnreadBody(req);
}

function bodyUnavailable(): HttpAnswer {
  return jsonError(500, 'Internal Server Error', 'An internal server error occurred');
}

/** 504 for timeouts (connecting, or the upstream's headers or body), 502 otherwise. */
export function upstreamFailure(error: unknown): HttpAnswer {
  const timeout =
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  return timeout ? gatewayTimeout() : badGateway();
}

export function gatewayTimeout(): HttpAnswer {
  return jsonError(504, 'Gateway Timeout', 'The upstream did not answer in time');
}

export function badGateway(): HttpAnswer {
  return jsonError(502, 'Bad Gateway', 'The upstream could not be reached');
}

/** The policy's headers over a response's, `Vary` merged. */
function withCors(headers: Record<string, string | string[]>, cors: Headers): void {
  for (const [name, value] of Object.entries(cors))
    headers[name] = name === 'vary' ? mergeVary(headers.vary, value) : value;
}

function write(res: ServerResponse, answer: HttpAnswer, cors: Headers | undefined): void {
  const headers: Record<string, string | string[]> = {
    ...answer.headers,
    'content-length': String(Buffer.byteLength(answer.body)),
  };
  if (cors !== undefined) withCors(headers, cors);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
