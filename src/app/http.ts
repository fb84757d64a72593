import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { PRIVATE_NO_STORE } from '../kernel/cache-control.js';
import {
  AppError,
  badRequest,
  internalError,
  notFound,
  payloadTooLarge,
  statusText,
  unsupportedMediaType,
} from '../kernel/errors.js';
import { MAX_JSON_NESTING } from '../kernel/json.js';
import { DeferredChildLogger, type Logger } from '../kernel/logger.js';
import type { RouteMetrics } from '../observability/route-metrics.js';
import { answerClientError, MAX_HEADER_BYTES } from './client-errors.js';
import { keepQueryLists, parseQueryFirstValues } from './repeated-query.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

export interface HttpServerOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Abort requests whose body does not arrive within this many ms (slowloris). */
  requestTimeout?: number;
  /** Record every request in these metrics (routes registered after createHttpServer, and 404s). */
  metrics?: RouteMetrics;
}

/** Every unmatched URL gets the same answer: serialised once. */
const NOT_FOUND_BODY = JSON.stringify(notFound('The requested URL does not exist on this server.').toJSON());
const NOT_FOUND_BYTES = Buffer.byteLength(NOT_FOUND_BODY);

/** 1 MiB: identity documents are small; batch imports of 1000 hashed identities fit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * A Fastify instance with the behaviour every listener shares: Kratos-shaped errors,
 * JSON and JSON Patch bodies, body and time limits.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: options.requestTimeout ?? 30_000,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: answerClientError,
    // A request-target the router cannot decode (`%zz`, or an escape that is not UTF-8: `caf%E9`)
    // is refused before any route: in Kratos's error shape, as every other 400 here.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const answer =
        error.code === 'FST_ERR_BAD_URL'
          ? badRequest('The request path holds an escape that is not valid UTF-8 percent-encoding.')
          : internalError(undefined, error);
      reply.code(answer.code).type('application/json; charset=utf-8').send(answer.toJSON());
    },
    // Query strings: a repeated parameter counts by its first value, as Kratos reads it, except
    // those a route declares as lists (ids=a&ids=b): see keepQueryLists.
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseQueryFirstValues },
    // One line per request, written only when the level wants it (see RequestLogController), by a
    // per-request logger built only when something logs (see DeferredChildLogger).
    logController: new RequestLogController(),
    childLoggerFactory: (logger, bindings, options) =>
      new DeferredChildLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger,
  }) as unknown as FastifyInstance;

  // Query strings and path parameters arrive as text and are coerced to their declared types (and
  // single values to arrays); JSON bodies are not: Kratos decodes them into typed Go structs, where
  // "true" for a boolean or ["x"] for a string is a 400, so they are validated as they came.
  const coercing = validatorAjv('array');
  const exact = validatorAjv(false);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    compileOnce(httpPart === 'body' ? exact : coercing, schema),
  );

  // Before any route exists: the metrics hook is added to each route as it is registered.
  options.metrics?.instrument(app);
  keepQueryLists(app);

  // The APIs take JSON only; a text body is a wrong content type (415), not a bad JSON (400).
  app.removeContentTypeParser('text/plain');
  // JSON bodies, and RFC 6902 bodies (their own media type), parsed as JSON no deeper than
  // MAX_JSON_NESTING (kernel/json.ts).
  const parseJson = boundedJsonParser(app.getDefaultJsonParser('error', 'error'));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, parseJson);

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.code >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(appError.code).type('application/json; charset=utf-8').send(appError.toJSON());
  });

  const metrics = options.metrics;
  app.setNotFoundHandler((request, reply) => {
    reply.code(404);
    // Recorded here, with the body's length, as the 404 answer has no route to hook onto.
    metrics?.recordUnmatched(request, reply, NOT_FOUND_BYTES);
    return reply.type('application/json; charset=utf-8').send(NOT_FOUND_BODY);
  });

  return app;
}

/** An Ajv for request validation, with Fastify's defaults but every error reported and nothing removed. */
function validatorAjv(coerceTypes: 'array' | false): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    coerceTypes,
    useDefaults: true,
    addUsedSchema: false,
  });
  addFormats(ajv);
  return ajv;
}

/** Compiles `schema`, or returns the one compiled under its `$id` (Ajv refuses an id twice). */
function compileOnce(ajv: Ajv, schema: AnySchema): ValidateFunction {
  const id = typeof schema === 'object' && schema !== null ? (schema as { $id?: unknown }).$id : undefined;
  if (typeof id === 'string') {
    const known = ajv.getSchema(id);
    if (known !== undefined) return known;
  }
  return ajv.compile(schema);
}

type JsonBodyParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

/** `parse` (Fastify's JSON parser), after refusing a body nested deeper than MAX_JSON_NESTING. */
function boundedJsonParser(parse: JsonBodyParser): JsonBodyParser {
  return (request, body, done) => {
    if (typeof body === 'string' && nestsDeeperThan(body, MAX_JSON_NESTING)) {
      done(
        badRequest(`The JSON body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep.`),
        undefined,
      );
      return;
    }
    parse(request, body, done);
  };
}

/**
 * Whether the JSON text opens more than `limit` arrays or objects inside one another: one pass,
 * brackets inside strings not counted. Text that is no JSON is left to the parser to refuse.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character: `\"` does not end the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Whether `log` would write a line at `level`; pino loggers and deferred ones answer it. */
function wants(log: FastifyBaseLogger, level: 'debug' | 'info'): boolean {
  const check = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return check === undefined ? true : check.call(log, level);
}

/**
 * Request logging with Fastify's line names and fields, at a lower price. Fastify writes two info
 * lines per request ("incoming request", then "request completed"); this writes the completion
 * line alone, with the request's method, URL, host and address beside the status and the response
 * time (what Kratos's "completed handling request" line carries), and the "incoming request" line at
 * debug. Nothing is built when the level (the listener's, or a route's `logLevel`) would drop the
 * line: at `warning`, a request that succeeds costs its logging one level check.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (wants(request.log, 'debug')) request.log.debug({ req: loggable(request) }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) {
      reply.log.error(
        { req: loggable(request), res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    } else if (wants(reply.log, 'info')) {
      reply.log.info(
        { req: loggable(request), res: reply, responseTime: reply.elapsedTime },
        'request completed',
      );
    }
  }
}

/** Query parameters whose values are secrets: email links and logout URLs carry them. */
const SECRET_QUERY_KEY = /token|code|secret|password|key/i;

/**
 * The URL as logged: values of secret-looking query parameters (`token`, `code`, ...) become
 * `[redacted]`, so one-time codes, recovery links and logout tokens never reach the logs.
 */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const params = new URLSearchParams(url.slice(question + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SECRET_QUERY_KEY.test(key)) {
      params.set(key, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, question)}?${params.toString()}` : url;
}

/** What Fastify's request serializer reads, with the URL redacted. */
function loggable(request: FastifyRequest): object {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    ip: request.ip,
    headers: request.headers,
    socket: request.socket,
  };
}

/** Maps Fastify's own errors (by code, never by message) to Kratos-shaped errors. */
export function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    // A field the body may not carry: named as Go's strict decoder names it for Kratos.
    const [first] = error.validation;
    const unknown = first?.keyword === 'additionalProperties' ? first.params.additionalProperty : undefined;
    if (typeof unknown === 'string') {
      const at = first?.instancePath ? ` (in ${error.validationContext ?? 'body'}${first.instancePath})` : '';
      return badRequest(`json: unknown field "${unknown}"${at}`);
    }
    return badRequest(
      `${error.validationContext ?? 'body'}${error.message.replace(/^(body|querystring|params)/, '')}`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge('The request body exceeds the maximum allowed size.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType('Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return badRequest('The request body does not match its Content-Length.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('The request body is empty; a JSON body is required.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('The request body is not valid JSON.');
  }
  const status = error.statusCode ?? 500;
  if (status === 400) return badRequest(error.message);
  if (status >= 400 && status < 500) {
    return new AppError('bad_request', status, statusText(status), { exposeId: false });
  }
  return internalError(undefined, error);
}

/**
 * Marks every answer of `scope` (a Fastify plugin scope) `Cache-Control: private, no-store` unless
 * its route set its own: flows and admin answers carry session tokens, logout tokens, personal
 * data and, with `include_credential=oidc`, provider tokens, which no cache between the client and
 * Portcullis may keep. Not on the whoami scope, whose route sets it without a hook on the hot path.
 */
export function keepOutOfCaches(scope: FastifyInstance): void {
  // A callback hook, not an async one: no promise per answer on the login path.
  scope.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', PRIVATE_NO_STORE);
    done(null, payload);
  });
}
