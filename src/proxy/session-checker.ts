/**
 * The in-process `SessionChecker`: a `check_session_url` that is this process's own
 * `<serve.public.base_url>sessions/whoami` is answered by the session manager directly, with
 * no HTTP hop. It reads the token as whoami does (X-Session-Token, Authorization: Bearer, the
 * signed session cookie) and answers with whoami's JSON. The manager's cache is invalidated
 * on revocation, so a revoked session is refused on the next request.
 */

import { cookieNamed, decodeSessionCookie } from '../session/cookie.js';
import type { SessionManager } from '../session/manager.js';
import type { SessionChecker, SessionCheckRequest, SessionCheckResult } from './pipeline/index.js';

export interface InProcessSessionCheckerDeps {
  sessions: Pick<SessionManager, 'authenticate' | 'authenticateFromMemory' | 'whoamiJson'>;
  /** `serve.public.base_url`. */
  publicBaseUrl: string;
  cookieName: string;
  cookieKeys: readonly string[];
}

export function inProcessSessionChecker(deps: InProcessSessionCheckerDeps): SessionChecker {
  const whoami = new URL('sessions/whoami', deps.publicBaseUrl);
  const key = (url: URL): string => `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const own = key(whoami);
  return {
    handles: (url) => key(url) === own,
    async check(request: SessionCheckRequest): Promise<SessionCheckResult> {
      const token = tokenFrom(request.headers, deps.cookieName, deps.cookieKeys);
      if (token === undefined) return { kind: 'rejected', status: 401 };
      try {
        const authenticated =
          deps.sessions.authenticateFromMemory(token) ?? (await deps.sessions.authenticate(token));
        if (authenticated === undefined) return { kind: 'rejected', status: 401 };
        return { kind: 'ok', body: deps.sessions.whoamiJson(authenticated) };
      } catch (error) {
        return {
          kind: 'unavailable',
          reason: error instanceof Error ? error.message : 'session check failed',
        };
      }
    },
  };
}

/** Kratos's order: `X-Session-Token`, `Authorization: Bearer`, then the signed cookie. */
function tokenFrom(
  headers: Record<string, string>,
  cookieName: string,
  cookieKeys: readonly string[],
): string | undefined {
  const header = headers['x-session-token'];
  if (header !== undefined && header !== '') return header;
  const authorization = headers.authorization;
  if (authorization !== undefined && /^bearer /i.test(authorization)) {
    const token = authorization.slice(7).trim();
    if (token !== '') return token;
  }
  return decodeSessionCookie(cookieNamed(headers.cookie, cookieName), cookieKeys);
}
