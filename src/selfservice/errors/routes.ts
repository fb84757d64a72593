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
 * `GET /self-service/errors?id=` (Kratos's getFlowError) and `GET /.well-known/change-password`,
 * on the public listener beside the flows (whose cookie parsing they share).
 */
export function selfServiceErrorRoutes(deps: SelfServiceErrorDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/errors', { errorHandler: answerJson }, async (request, reply) => {
      const { id } = request.query as { id?: unknown };
      const read = await readFlowError(deps, request, typeof id === 'string' ? id : undefined);
      if (read.kind === 'refused') return sendJsonError(reply, read.error);
      return reply.send(read.flowError);
    });

    // The W3C "change password URL": password managers send people to the settings page.
    app.get('/.well-known/change-password', async (_request, reply) =>
      reply.redirect(deps.settingsUiUrl, 303),
    );
  };
}
