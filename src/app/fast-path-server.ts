import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../kernel/logger.js';

/**
 * Answers a request before Fastify sees it, or declines: `true` when it wrote the whole answer,
 * `false` (having written nothing) to hand the request to Fastify's routing.
 */
export type RawFastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Puts `fastPath` in front of Fastify on the server Fastify created for `app`: each request goes
 * to the fast path first, and to Fastify's own handler when it declines.
 *
 * Why: on the hottest route (whoami answered from memory) Fastify's request lifecycle — request
 * and reply objects, the child logger, the response listeners the metrics hook needs — costs more
 * than the answer itself. A fast path declines everything but its one plain case, so every other
 * request, and every unusual form of its own (a query, HEAD, an unknown session), keeps Fastify's
 * behaviour. While Fastify drains (after `close()`), it declines everything, so Fastify's shutdown
 * answers apply.
 *
 * Not Fastify's `serverFactory`: with one, Fastify stops binding the second address of
 * `localhost` (::1 beside 127.0.0.1), and this keeps the server exactly as Fastify makes it (that
 * second server, when there is one, has no fast path: its requests all go through Fastify). The
 * one `request` listener Fastify adds is wrapped; should there ever be another number of them,
 * nothing is changed, every request goes through Fastify as before, and the answer is false.
 */
export function installFastPath(app: FastifyInstance, fastPath: RawFastPath, logger: Logger): boolean {
  const server = app.server;
  const listeners = server.listeners('request') as RequestListener[];
  const [fastify] = listeners;
  if (listeners.length !== 1 || fastify === undefined) return false;
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  server.removeListener('request', fastify);
  server.on('request', function fastPathFirst(request: IncomingMessage, response: ServerResponse) {
    if (!closing && answered(fastPath, request, response, logger)) return;
    fastify(request, response);
  });
  return true;
}

/**
 * Runs the fast path; a fault in it is logged and never loses the request: before anything was
 * written, Fastify answers it; after the answer was written in full (a fault in what follows it,
 * recording its metrics say), the connection goes on; in between, it is dropped, as Node does
 * with a response that cannot be completed.
 */
function answered(
  fastPath: RawFastPath,
  request: IncomingMessage,
  response: ServerResponse,
  logger: Logger,
): boolean {
  try {
    return fastPath(request, response);
  } catch (error) {
    logger.error({ err: error, url: request.url }, 'the fast path failed');
    if (!response.headersSent) return false;
    if (!response.writableEnded) response.destroy(error instanceof Error ? error : undefined);
    return true;
  }
}
