import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../kernel/errors.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import { noActiveSession } from '../../session/errors.js';
import type { SessionManager } from '../../session/manager.js';
import { isSessionUsable, type Session } from '../../session/model.js';
import { sessionTokenFrom, type TokenSources } from '../../session/request-token.js';
import { rememberCsrfSecretGiven } from '../errors/index.js';
import {
  type CookieSettings,
  clearSessionCookie,
  rotateCsrfSecret,
  wantsJson,
} from '../flow/http-context.js';
import { publicUrl } from '../flow/request-url.js';

export interface LogoutDeps {
  sessions: SessionManager;
  tokens: TokenSources;
  cookies: CookieSettings;
  /** `return_to` checks whose default is `selfservice.flows.logout.after.default_browser_return_url`. */
  returnTo: ReturnToValidator;
  publicBase: URL;
}

const returnToQuery = {
  type: 'object',
  properties: { return_to: { type: 'string' } },
} as const;

function forbidden(reason: string): AppError {
  return new AppError('forbidden', 403, 'The requested action was forbidden', { reason, exposeId: false });
}

/** Browser and native logout, as on Kratos's public port (selfservice/flow/logout/handler.go). */
export function logoutRoutes(deps: LogoutDeps) {
  /** The usable session the request carries, with its token; Kratos's 401 otherwise. */
  async function currentSession(request: FastifyRequest): Promise<{ token: string; session: Session }> {
    const token = sessionTokenFrom(request, deps.tokens);
    const session = token === undefined ? undefined : await deps.sessions.findByToken(token);
    if (token === undefined || session === undefined || !isSessionUsable(session, new Date()))
      throw noActiveSession();
    return { token, session };
  }

  return async function register(app: FastifyInstance): Promise<void> {
    // The browser asks for a logout URL; following it ends the session.
    app.get('/self-service/logout/browser', { schema: { querystring: returnToQuery } }, async (request) => {
      const { token, session } = await currentSession(request);
      const logoutToken = deps.sessions.logoutTokenFor(token, session);
      if (logoutToken === undefined) throw noActiveSession();
      const { return_to } = request.query as { return_to?: string };
      const url = new URL(publicUrl(deps.publicBase, 'self-service/logout'));
      url.searchParams.set('token', logoutToken);
      // Checked now, so a bad one fails before the person clicks; absent when not asked for.
      if (return_to) url.searchParams.set('return_to', deps.returnTo.resolve(return_to).toString());
      return { logout_url: url.toString(), logout_token: logoutToken };
    });

    // The logout token sits in the URL: keep this route out of the info-level request log.
    app.get(
      '/self-service/logout',
      {
        logLevel: 'warn',
        schema: {
          querystring: {
            ...returnToQuery,
            properties: { ...returnToQuery.properties, token: { type: 'string' } },
          },
        },
      },
      async (request, reply) => {
        const { token, return_to } = request.query as { token?: string; return_to?: string };
        if (!token) throw badRequest('Please include a token in the URL query.');
        // As Kratos: without a usable session this is a 401, not a success, which would tell the
        // client a session was ended when none was. The token must belong to this browser's
        // session, so a stranger's link ends nothing.
        const { token: sessionToken, session } = await currentSession(request);
        if (deps.sessions.logoutTokenFor(sessionToken, session) !== token) {
          throw forbidden(
            'Unable to log out because the logout token in the URL query does not match the session cookie.',
          );
        }
        clearSessionCookie(reply, deps.cookies);
        // A refused return_to below is stored for the error UI with the new secret, the one the
        // browser holds when it gets there (Kratos's completeLogout: RegenerateToken, then Forward).
        rememberCsrfSecretGiven(request, rotateCsrfSecret(reply, deps.cookies));
        await deps.sessions.revoke(session.id);
        // Signed out first, as Kratos: a refused return_to is an error, but the session has ended.
        const returnTo = deps.returnTo.resolve(return_to).toString();
        if (wantsJson(request)) return reply.code(204).send();
        return reply.redirect(returnTo, 303);
      },
    );

    app.delete(
      '/self-service/logout/api',
      { schema: { body: { type: 'object', properties: { session_token: { type: 'string' } } } } },
      async (request, reply) => {
        const { session_token = '' } = request.body as { session_token?: string };
        // An already ended session is logged out: 204 again. An unknown (or no) token is 403.
        const session = session_token === '' ? undefined : await deps.sessions.findByToken(session_token);
        if (!session)
          throw forbidden(
            'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.',
          );
        if (session.active) await deps.sessions.revoke(session.id);
        return reply.code(204).send();
      },
    );
  };
}
