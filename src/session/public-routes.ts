import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionConfig } from '../config/index.js';
import type { Identity } from '../identity/model.js';
import { PRIVATE_NO_STORE } from '../kernel/cache-control.js';
import { badRequest } from '../kernel/errors.js';
import { ignoreBodies } from '../kernel/ignored-bodies.js';
import { UUID } from '../persistence/uuid.js';
import { encodeSessionCookie, type OpenedSessionCookie } from './cookie.js';
import { sessionCookieAttributes } from './cookie-attributes.js';
import { noSessionCookie, whoamiUnauthorized } from './errors.js';
import {
  type SessionPageParams,
  sendPageHeaders,
  sessionPage,
  sessionPageParamsSchema,
} from './list-pages.js';
import type { Authenticated, SessionManager } from './manager.js';
import { type RequestCredentials, requestCredentials, type TokenSources } from './request-token.js';
import { SESSION_TOKEN_PREFIX } from './token.js';
import type { SessionTokenizer } from './tokenizer.js';
import { cookieIsCurrent, WHOAMI_PATH, whoamiHeaders } from './whoami-answer.js';

export interface PublicSessionRoutesDeps {
  sessions: SessionManager;
  tokens: TokenSources;
  /** The caller's identity, for the sessions `GET /sessions` lists. */
  identityOf(identityId: string): Promise<Identity | undefined>;
  /** `?tokenize_as=`: the session as a JWT (session.whoami.tokenizer.templates). */
  tokenizer: SessionTokenizer;
  /** The session cookie's attributes, for writing it again once the session was extended. */
  cookie: SessionConfig['cookie'];
}

const pageQuery = { type: 'object', properties: sessionPageParamsSchema } as const;

/** Kratos answers whoami on every method but DELETE (which `DELETE /sessions/{id}` serves). */
export const WHOAMI_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'TRACE'] as const;

/** `/sessions/whoami` and the caller's own sessions, as on Kratos's public port. */
export function publicSessionRoutes(deps: PublicSessionRoutesDeps) {
  /** The caller's usable session; `refuse` names the 401 of the route asking. */
  async function authenticatedBy(
    credentials: RequestCredentials | undefined,
    refuse: (token: string | undefined) => Promise<never>,
  ): Promise<Authenticated> {
    const token = credentials?.token;
    const authenticated = token === undefined ? undefined : await deps.sessions.authenticate(token);
    if (!authenticated) return refuse(token);
    return authenticated;
  }
  const caller = (request: FastifyRequest, refuse: (token: string | undefined) => Promise<never>) =>
    authenticatedBy(requestCredentials(request, deps.tokens), refuse);
  /** whoami's refusal: one more lookup, on the refusal path only, to say whether a session ended. */
  async function refuseWhoami(token: string | undefined): Promise<never> {
    const ended =
      token?.startsWith(SESSION_TOKEN_PREFIX) === true &&
      (await deps.sessions.findByToken(token)) !== undefined;
    throw whoamiUnauthorized(ended);
  }
  async function refuseOwnSessions(): Promise<never> {
    throw noSessionCookie();
  }

  return async function register(app: FastifyInstance): Promise<void> {
    // None of these routes reads a body (Kratos's whoami answers POST, PUT and PATCH and ignores
    // theirs). This plugin is its own Fastify scope, so the flows keep their parsers.
    ignoreBodies(app);

    /**
     * As Kratos's RefreshCookie: a session cookie that does not remember the session's expiry is
     * written again (see cookieIsCurrent). Rare: on the hot path this is one comparison.
     */
    function refreshCookie(
      reply: FastifyReply,
      authenticated: Authenticated,
      cookie: OpenedSessionCookie,
    ): void {
      const expiresAtMs = authenticated.session.expiresAtMs;
      if (cookieIsCurrent(cookie, expiresAtMs)) return;
      const expiresAt = new Date(expiresAtMs);
      reply.header(
        'set-cookie',
        fastifyCookie.serialize(
          deps.tokens.cookieName,
          encodeSessionCookie(cookie.token, deps.tokens.cookieKeys, expiresAt),
          sessionCookieAttributes(deps.cookie, expiresAt, Date.now()),
        ),
      );
    }

    /** whoami's answer: the session's JSON (a ready string from the cache, or an object). */
    function sendWhoami(
      reply: FastifyReply,
      authenticated: Authenticated,
      credentials: RequestCredentials | undefined,
      body?: object,
    ): void {
      if (credentials?.cookie !== undefined) refreshCookie(reply, authenticated, credentials.cookie);
      reply
        .headers(whoamiHeaders(authenticated.session.identityId))
        .send(body ?? deps.sessions.whoamiBody(authenticated));
    }

    /** whoami with the session also as a JWT in `tokenized`: no cached body, as in Kratos. */
    async function tokenizedWhoami(request: FastifyRequest, reply: FastifyReply, template: string) {
      const credentials = requestCredentials(request, deps.tokens);
      const authenticated = await authenticatedBy(credentials, refuseWhoami);
      const body = deps.sessions.whoamiJson(authenticated);
      const tokenized = await deps.tokenizer.tokenize(template, body);
      sendWhoami(reply, authenticated, credentials, { ...body, tokenized });
    }

    function whoami(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
      const template = (request.query as { tokenize_as?: unknown }).tokenize_as;
      if (typeof template === 'string' && template !== '') return tokenizedWhoami(request, reply, template);
      const credentials = requestCredentials(request, deps.tokens);
      const known =
        credentials === undefined ? undefined : deps.sessions.authenticateFromMemory(credentials.token);
      if (known !== undefined) {
        sendWhoami(reply, known, credentials);
        return undefined;
      }
      return authenticatedBy(credentials, refuseWhoami).then((authenticated) =>
        sendWhoami(reply, authenticated, credentials),
      );
    }

    // The hot path: no per-request info log line (errors still log), a pre-serialised body, and
    // no promise when the in-process cache knows the session and its identity (the usual case):
    // the handler answers synchronously and Fastify skips its promise handling. Anything the
    // memory does not know goes through `authenticate` (Redis, SQL), as before.
    app.route({ method: [...WHOAMI_METHODS], url: WHOAMI_PATH, logLevel: 'warn', handler: whoami });

    app.get('/sessions', { schema: { querystring: pageQuery } }, async (request, reply) => {
      const { session } = await caller(request, refuseOwnSessions);
      // Other sessions only: the current one is what whoami returns.
      const page = await sessionPage(
        deps.sessions,
        { identityId: session.identityId, active: true, excludeId: session.id },
        request.query as SessionPageParams,
        request.url,
      );
      sendPageHeaders(reply, page);
      reply.header('cache-control', PRIVATE_NO_STORE);
      // Each with its identity, as Kratos lists them (all are the caller's).
      const identity = page.sessions.length === 0 ? undefined : await deps.identityOf(session.identityId);
      return page.sessions.map((s) => deps.sessions.toJson(s, identity));
    });

    app.delete('/sessions', async (request) => {
      const { session } = await caller(request, refuseOwnSessions);
      const count = await deps.sessions.revokeIdentitySessionsCounted(session.identityId, session.id);
      return { count };
    });

    app.delete('/sessions/:id', async (request, reply) => {
      // Ids are stored lower-case; Kratos parses the UUID, so any case names the same session.
      const id = (request.params as { id: string }).id.toLowerCase();
      // Kratos's special case: DELETE /sessions/whoami is whoami (the route above has no DELETE).
      if (id === 'whoami') return whoami(request, reply);
      const { session } = await caller(request, refuseOwnSessions);
      if (!UUID.test(id)) throw badRequest(`The session id "${id}" is not a UUID.`);
      if (id === session.id) {
        throw badRequest('You cannot revoke the current session using this endpoint; use the logout flow.');
      }
      // As Kratos: 204 whether or not the caller had such a session, so that someone else's
      // session (left untouched) answers exactly as one that never existed or was revoked.
      const target = await deps.sessions.get(id);
      if (target?.identity_id === session.identityId) await deps.sessions.revoke(id);
      return reply.code(204).send();
    });
  };
}
