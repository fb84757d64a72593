import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  AppError,
  badRequest,
  internalError,
  notFound,
  payloadTooLarge,
  statusText,
  unsupportedMediaType,
} from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Abort requests whose body does not arrive within this many ms (slowloris). */
  requestTimeout?: number;
}

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
    // Query strings arrive as text: coerce them to the declared types (and single values to arrays).
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
    // Query strings: repeated keys become arrays (ids=a&ids=b), as Kratos's clients send them.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;

  // The APIs take JSON only; a text body is a wrong content type (415), not a bad JSON (400).
  app.removeContentTypeParser('text/plain');
  // RFC 6902 bodies use their own media type; parse them as JSON.
  app.addContentTypeParser(
    'application/json-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.code >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(appError.code).type('application/json; charset=utf-8').send(appError.toJSON());
  });

  app.setNotFoundHandler((_request, reply) => {
    const error = notFound('The requested URL does not exist on this server.');
    return reply.code(404).send(error.toJSON());
  });

  return app;
}

/** Maps Fastify's own errors (by code, never by message) to Kratos-shaped errors. */
export function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
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
