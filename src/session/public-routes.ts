import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../kernel/errors.js';
import { noActiveSession } from './errors.js';
import type { Authenticated, SessionManager } from './manager.js';
import { sessionTokenFrom, type TokenSources } from './request-token.js';

export interface PublicSessionRoutesDeps {
  sessions: SessionManager;
  tokens: TokenSources;
}

const pageQuery = {
  type: 'object',
  properties: {
    page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 250 },
    page_token: { type: 'string' },
    per_page: { type: 'integer', minimum: 1, maximum: 1000 },
    page: { type: 'integer' },
  },
} as const;

/** `/sessions/whoami` and the caller's own sessions, as on Kratos's public port. */
export function publicSessionRoutes(deps: PublicSessionRoutesDeps) {
  async function caller(request: FastifyRequest): Promise<Authenticated> {
    const token = sessionTokenFrom(request, deps.tokens);
    const authenticated = token === undefined ? undefined : await deps.sessions.authenticate(token);
    if (!authenticated) throw noActiveSession();
    return authenticated;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    function sendWhoami(reply: FastifyReply, authenticated: Authenticated): void {
      reply
        .header('x-kratos-authenticated-identity-id', authenticated.session.identityId)
        .header('cache-control', 'private, no-store')
        .header('content-type', 'application/json; charset=utf-8')
        .send(deps.sessions.whoamiBody(authenticated));
    }

    // The hot path: no per-request info log line (errors still log), a pre-serialised body, and
    // no promise when the in-process cache knows the session and its identity (the usual case):
    // the handler answers synchronously and Fastify skips its promise handling. Anything the
    // memory does not know goes through `authenticate` (Redis, SQL), as before.
    app.get('/sessions/whoami', { logLevel: 'warn' }, (request, reply) => {
      const token = sessionTokenFrom(request, deps.tokens);
      const known = token === undefined ? undefined : deps.sessions.authenticateFromMemory(token);
      if (known !== undefined) {
        sendWhoami(reply, known);
        return undefined;
      }
      return caller(request).then((authenticated) => sendWhoami(reply, authenticated));
    });

    app.get('/sessions', { schema: { querystring: pageQuery } }, async (request, reply) => {
      const { session } = await caller(request);
      const query = request.query as { page_size: number; per_page?: number; page_token?: string };
      const pageSize = query.per_page ?? query.page_size;
      // Other sessions only: the current one is what whoami returns.
      const page = await deps.sessions.list({
        identityId: session.identityId,
        active: true,
        excludeId: session.id,
        pageSize,
        pageToken: query.page_token,
      });
      const others = page.sessions;
      if (page.nextPageToken) {
        reply.header(
          'Link',
          `</sessions?page_size=${pageSize}&page_token=${encodeURIComponent(page.nextPageToken)}>; rel="next"`,
        );
      }
      return others.map((s) => deps.sessions.toJson(s));
    });

    app.delete('/sessions', async (request) => {
      const { session } = await caller(request);
      const count = await deps.sessions.revokeIdentitySessions(session.identityId, session.id);
      return { count };
    });

    app.delete('/sessions/:id', async (request, reply) => {
      const { session } = await caller(request);
      const { id } = request.params as { id: string };
      if (id === session.id) {
        throw badRequest('You cannot revoke the current session using this endpoint; use the logout flow.');
      }
      const target = await deps.sessions.get(id);
      // Someone else's session is as absent as one that never existed.
      if (!target || target.identity_id !== session.identityId)
        throw notFound('Unable to locate the resource');
      await deps.sessions.revoke(id);
      return reply.code(204).send();
    });
  };
}
