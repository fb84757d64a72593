import type { FastifyInstance } from 'fastify';
import { AppError, badRequest } from '../../kernel/errors.js';
import type { ReturnToValidator } from '../../kernel/return-to.js';
import { noActiveSession } from '../../session/errors.js';
import type { SessionManager } from '../../session/manager.js';
import { isSessionUsable } from '../../session/model.js';
import { sessionTokenFrom, type TokenSources } from '../../session/request-token.js';
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
  returnTo: ReturnToValidator;
  publicBase: URL;
  /** `selfservice.flows.logout.after.default_browser_return_url`. */
  defaultReturnUrl: string;
}

const returnToQuery = {
  type: 'object',
  properties: { return_to: { type: 'string' } },
} as const;

function invalidLogoutToken(): AppError {
  return new AppError('forbidden', 403, 'The requested action was forbidden', {
    reason: 'Unable to log out because the logout token is invalid or the session has already ended.',
    exposeId: false,
  });
}

/** Browser and native logout, as on Kratos's public port. */
export function logoutRoutes(deps: LogoutDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    // The browser asks for a logout URL; following it ends the session.
    app.get('/self-service/logout/browser', { schema: { querystring: returnToQuery } }, async (request) => {
      const token = sessionTokenFrom(request, deps.tokens);
      const session = token === undefined ? undefined : await deps.sessions.findByToken(token);
      const usable = session !== undefined && isSessionUsable(session, new Date());
      const logoutToken =
        token !== undefined && usable ? deps.sessions.logoutTokenFor(token, session) : undefined;
      if (logoutToken === undefined) throw noActiveSession();
      const { return_to } = request.query as { return_to?: string };
      const url = new URL(publicUrl(deps.publicBase, 'self-service/logout'));
      url.searchParams.set('token', logoutToken);
      if (return_to !== undefined)
        url.searchParams.set('return_to', deps.returnTo.resolve(return_to).toString());
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
        if (!token) throw badRequest('The logout token is missing.');
        const returnTo =
          return_to === undefined ? deps.defaultReturnUrl : deps.returnTo.resolve(return_to).toString();
        // The token must belong to the session of the browser that follows it; without a
        // session there is nothing to end (Kratos redirects), and a stranger's link ends nothing.
        const sessionToken = sessionTokenFrom(request, deps.tokens);
        const session =
          sessionToken === undefined ? undefined : await deps.sessions.findByToken(sessionToken);
        if (session?.active) {
          if (sessionToken === undefined || deps.sessions.logoutTokenFor(sessionToken, session) !== token) {
            throw invalidLogoutToken();
          }
          clearSessionCookie(reply, deps.cookies);
          rotateCsrfSecret(reply, deps.cookies);
          await deps.sessions.revoke(session.id);
        } else {
          clearSessionCookie(reply, deps.cookies);
        }
        if (wantsJson(request)) return reply.code(204).send();
        return reply.redirect(returnTo, 303);
      },
    );

    app.delete(
      '/self-service/logout/api',
      {
        schema: {
          body: {
            type: 'object',
            required: ['session_token'],
            properties: { session_token: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) => {
        const { session_token } = request.body as { session_token: string };
        // An already ended session is logged out: 204 again. Only an unknown token is refused.
        const session = await deps.sessions.findByToken(session_token);
        if (!session) throw invalidLogoutToken();
        if (session.active) await deps.sessions.revoke(session.id);
        return reply.code(204).send();
      },
    );
  };
}
