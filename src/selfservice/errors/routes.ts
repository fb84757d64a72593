import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../../app/http.js';
import type { AppError } from '../../kernel/errors.js';
import type { SelfServiceErrorDeps } from './deps.js';
import { readFlowError } from './read.js';

function sendJsonError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.code).type('application/json; charset=utf-8').send(error.toJSON());
}

/**
 * This endpoint answers JSON to every client, browsers included: its own failures must not be
 * sent to the error UI, which reads them from here.
 */
function answerJson(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.code >= 500) request.log.error({ err: error }, 'request failed');
  return sendJsonError(reply, appError);
}

/**
 * The error id a request names: `?error=` first, then `?id=`, as Kratos's fetchError
 * (`stringsx.Coalesce(error, id)`; `error` is the name older Kratos versions gave the error UI,
 * ory/kratos#1507, and UIs written then still send it). An empty value counts as absent.
 */
function requestedErrorId(query: unknown): string | undefined {
  const { error, id } = (query ?? {}) as { error?: unknown; id?: unknown };
  for (const value of [error, id]) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/**
 * `GET /self-service/errors?id=` (Kratos's getFlowError) and `GET /.well-known/change-password`,
 * on the public listener beside the flows (whose cookie parsing they share).
 */
export function selfServiceErrorRoutes(deps: SelfServiceErrorDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/errors', { errorHandler: answerJson }, async (request, reply) => {
      const read = await readFlowError(deps, requestedErrorId(request.query));
      if (read.kind === 'refused') return sendJsonError(reply, read.error);
      return reply.send(read.flowError);
    });

    // The W3C "change password URL": password managers send people to the settings page.
    app.get('/.well-known/change-password', async (_request, reply) =>
      reply.redirect(deps.settingsUiUrl, 303),
    );
  };
}
