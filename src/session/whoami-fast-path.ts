import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RawFastPath } from '../app/fast-path-server.js';
import type { RawRequestRecorder } from '../observability/route-metrics.js';
import { cookieNamed, openSessionCookie } from './cookie.js';
import type { SessionManager } from './manager.js';
import { type TokenSources, tokenInOrder } from './request-token.js';
import { cookieIsCurrent, WHOAMI_PATH, whoamiHeaders } from './whoami-answer.js';

export interface WhoamiFastPathDeps {
  sessions: Pick<SessionManager, 'authenticateFromMemory' | 'whoamiBody'>;
  tokens: TokenSources;
  /** Headers every answer of the listener carries first (CORS's, when it is on). */
  listenerHeaders?: (request: IncomingMessage) => Readonly<Record<string, string>>;
  /** The metrics of the whoami route. */
  record?: RawRequestRecorder;
}

/**
 * `GET /sessions/whoami` answered from memory before Fastify routes it: the very answer the whoami
 * route gives (same status, headers in the same order, same body, the same metrics), for the one
 * case that is nearly every request on a busy server: a plain GET, no query, a session and identity
 * the in-process cache holds, and no session cookie to write again. Anything else is declined and
 * goes through the route (which logs nothing either: whoami's route logs at `warn`, errors only).
 */
export function whoamiFastPath(deps: WhoamiFastPathDeps): RawFastPath {
  const { sessions, tokens, listenerHeaders, record } = deps;
  const openCookie = (value: string) => openSessionCookie(value, tokens.cookieKeys);
  return function whoamiFromMemory(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.url !== WHOAMI_PATH || request.method !== 'GET') return false;
    const started = performance.now();
    const headers = request.headers;
    const credentials = tokenInOrder(
      headers['x-session-token'],
      cookieNamed(headers.cookie, tokens.cookieName),
      openCookie,
      headers.authorization,
    );
    if (credentials === undefined) return false;
    const known = sessions.authenticateFromMemory(credentials.token);
    if (known === undefined) return false;
    if (credentials.cookie !== undefined && !cookieIsCurrent(credentials.cookie, known.session.expiresAtMs))
      return false;
    const body = sessions.whoamiBody(known);
    const bytes = Buffer.byteLength(body);
    if (listenerHeaders !== undefined) {
      for (const [name, value] of Object.entries(listenerHeaders(request))) response.setHeader(name, value);
    }
    response.writeHead(200, whoamiHeaders(known.session.identityId, bytes));
    response.end(body);
    record?.(request, 200, (performance.now() - started) / 1000, bytes);
    return true;
  };
}
