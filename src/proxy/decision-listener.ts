/**
 * The decision API's hot path, served by a bare `node:http` handler in front of Fastify: a
 * decision costs about a third less CPU without Fastify's routing and reply machinery.
 *
 * Fastify's `/decisions` routes (decision.ts) stay the reference. This path takes only the
 * requests whose Fastify handling is known to be "CORS hook, then the route handler" and
 * writes exactly what Fastify's route would (same status, header names, order and values,
 * body); every other request is left to Fastify:
 * - methods other than the routes' (every method but `CONNECT`), and paths that are not
 *   `/decisions`, `/decisions/...` or `/decisions?...` literally (e.g. `/decision%73`, which
 *   Fastify's router decodes into a decision path);
 * - a `%` in the path that is not followed by two hex digits (`%zz`): Go's server refuses such
 *   a request line with a 400 before Oathkeeper's handler, as Fastify's router refuses it;
 * - requests with a body or a `Content-Type` (Fastify's body and media-type checks, 415);
 * - CORS preflights (the hook answers them).
 * A path with well-formed escapes is taken: the route handler reads only the raw request-target,
 * and Fastify's router, which decodes the path first, routes any `/decisions/...` to it, so
 * the answer is the route's. Except when an escape is not UTF-8 (`caf%E9`): Fastify's router
 * then refuses the request (400 FST_ERR_BAD_URL) before any route is chosen, where Go's URL
 * parser, and so Oathkeeper, and the proxy port decide it. Here it is decided as the route
 * would, and as the same URL given in `X-Forwarded-Uri` is. A body-carrying or preflight
 * request on such a path still reaches Fastify's router and its 400 (in the usual error shape:
 * createHttpServer's frameworkErrors).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { PRIVATE_NO_STORE } from '../kernel/cache-control.js';
import { AppError, internalError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { AccessControl } from './access.js';
import type { CorsPolicy } from './cors.js';
import { DECISION_METHODS, DECISION_PATH, decide, type HttpAnswer } from './decision.js';
import type { MaybePromise } from './pipeline/handler.js';

export interface DecisionListenerOptions {
  access: AccessControl;
  logger: Logger;
  /** `serve.api.cors`, compiled; undefined when off. */
  cors?: CorsPolicy | undefined;
}

export interface DecisionListener {
  /** Serves `req` and answers true, or answers false (untouched) for Fastify to serve it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/** The methods decision.ts registers. */
const ROUTED_METHODS: ReadonlySet<string> = new Set(DECISION_METHODS);
/** Methods Fastify never parses a body for, whatever their headers say (its `bodyless` set). */
const BODYLESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'TRACE']);

const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;

export function createDecisionListener(options: DecisionListenerOptions): DecisionListener {
  const { access, logger, cors } = options;

  function serve(req: IncomingMessage, res: ServerResponse, corsHeaders: Headers | undefined): void {
    let answer: MaybePromise<HttpAnswer>;
    try {
      answer = decide(access, {
        method: req.method ?? 'GET',
        scheme: (req.socket as TLSSocket).encrypted === true ? 'https' : 'http',
        target: req.url ?? '/',
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
      });
    } catch (error) {
      crashed(res, error, corsHeaders);
      return;
    }
    // Synchronous pipelines are answered in this very tick.
    if (answer instanceof Promise)
      answer.then(
        (settled) => answerOrCrash(res, settled, corsHeaders),
        (error: unknown) => crashed(res, error, corsHeaders),
      );
    else answerOrCrash(res, answer, corsHeaders);
  }

  function answerOrCrash(res: ServerResponse, answer: HttpAnswer, corsHeaders: Headers | undefined): void {
    try {
      if (answer.allowed === true) writeAllowed(res, answer, corsHeaders);
      else writeAnswer(res, answer, corsHeaders, true);
    } catch (error) {
      crashed(res, error, corsHeaders);
    }
  }

  /** What the shared Fastify error handler answers for a thrown error (app/http.ts). */
  function crashed(res: ServerResponse, error: unknown, corsHeaders: Headers | undefined): void {
    logger.error({ err: error }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const appError = error instanceof AppError ? error : internalError(undefined, error);
    const answer = {
      status: appError.code,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(appError.toJSON()),
    };
    writeAnswer(res, answer, corsHeaders, false);
  }

  return {
    handle(req, res) {
      const method = req.method ?? 'GET';
      if (!ROUTED_METHODS.has(method) || !isDecisionTarget(req.url ?? '/')) return false;
      const headers = req.headers;
      if (headers['transfer-encoding'] !== undefined) return false;
      const length = headers['content-length'];
      if (length !== undefined && length !== '0') return false;
      if (!BODYLESS_METHODS.has(method) && headers['content-type'] !== undefined) return false;
      let corsHeaders: Headers | undefined;
      if (cors !== undefined) {
        if (cors.preflight(method, headers) !== undefined) return false;
        corsHeaders = cors.actual(method, headers.origin);
      }
      serve(req, res, corsHeaders);
      return true;
    },
  };
}

type Headers = Readonly<Record<string, string>>;

/**
 * `/decisions`, `/decisions/...` or `/decisions?...`, with no `#` in its path and every `%` of
 * its path followed by two hex digits (what Go's url.ParseRequestURI requires).
 */
export function isDecisionTarget(target: string): boolean {
  if (!target.startsWith(DECISION_PATH)) return false;
  const next = target.charCodeAt(DECISION_PATH.length);
  if (Number.isNaN(next) || next === QUESTION_MARK) return true;
  if (next !== SLASH) return false;
  for (let i = DECISION_PATH.length + 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === QUESTION_MARK) return true;
    if (c === HASH) return false;
    if (c === PERCENT) {
      if (!isHexDigit(target.charCodeAt(i + 1)) || !isHexDigit(target.charCodeAt(i + 2))) return false;
      i += 2;
    }
  }
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * Writes an allowed decision as Fastify's `reply.send()` without a payload does: CORS headers,
 * the mutated headers with lower-cased names, then `Content-Length: 0` (not for HEAD).
 */
function writeAllowed(res: ServerResponse, answer: HttpAnswer, cors: Headers | undefined): void {
  const headers: Record<string, string> = {};
  if (cors !== undefined) for (const name in cors) headers[name] = cors[name] as string;
  const own = answer.headers;
  for (const name in own) headers[name.toLowerCase()] = own[name] as string;
  if (res.req.method !== 'HEAD') headers['content-length'] = '0';
  res.writeHead(200, headers);
  res.end();
}

/**
 * Writes an answer as Fastify's reply does: CORS headers (set by the hook), the answer's
 * headers with lower-cased names, `Cache-Control` (the route's, not for the error handler's
 * answer), then `Content-Type` (text/plain for a string body that has none) and
 * `Content-Length`; none of the two for 1xx and 204.
 */
function writeAnswer(
  res: ServerResponse,
  answer: HttpAnswer,
  cors: Headers | undefined,
  fromRoute: boolean,
): void {
  const headers: Record<string, string> = {};
  if (cors !== undefined) for (const name in cors) headers[name] = cors[name] as string;
  const own = answer.headers;
  for (const name in own) headers[name.toLowerCase()] = own[name] as string;
  if (fromRoute) headers['cache-control'] = PRIVATE_NO_STORE;
  const status = answer.status;
  if (status < 200 || status === 204) {
    delete headers['content-type'];
    delete headers['content-length'];
    res.writeHead(status, headers);
    res.end();
    return;
  }
  if (!headers['content-type']) headers['content-type'] = 'text/plain; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(answer.body));
  res.writeHead(status, headers);
  res.end(answer.body);
}
