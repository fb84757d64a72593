import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { cookieNamed, type OpenedSessionCookie, openSessionCookie } from './cookie.js';

export interface TokenSources {
  cookieName: string;
  cookieKeys: readonly string[];
}

/** The token a request carries, and the cookie it came from, if it came from one. */
export interface RequestCredentials<C extends { token: string } = OpenedSessionCookie> {
  token: string;
  /** The session cookie that carried the token (see OpenedSessionCookie); undefined for headers. */
  cookie: C | undefined;
}

/**
 * The session token a request carries, in Kratos's order (ManagerHTTP.extractToken):
 * `X-Session-Token`, then the session cookie (which must open under `secrets.cookie`), then
 * `Authorization: Bearer` only when no cookie opened. A browser's cookie so wins over an
 * unrelated bearer token a gateway or an SPA adds. Works with or without @fastify/cookie's
 * parsing hook on the route.
 */
export function requestCredentials(
  request: FastifyRequest,
  sources: TokenSources,
): RequestCredentials | undefined {
  const headers = request.headers;
  // `request.cookies` is filled by @fastify/cookie's hook where one runs; elsewhere the one cookie
  // needed is read from the header here.
  const cookies = request.cookies as Record<string, string | undefined> | null | undefined;
  const value =
    cookies != null ? cookies[sources.cookieName] : cookieNamed(headers.cookie, sources.cookieName);
  return tokenInOrder(
    headers['x-session-token'],
    value,
    (v) => openSessionCookie(v, sources.cookieKeys),
    headers.authorization,
  );
}

/**
 * The one place the order is written, for whoami's routes and the access proxy's in-process
 * session check alike: `sessionToken` (the `X-Session-Token` header) when not empty, else the
 * cookie value if `openCookie` opens it, else the bearer token of `authorization`.
 */
export function tokenInOrder<C extends { token: string }>(
  sessionToken: string | string[] | undefined,
  cookieValue: string | undefined,
  openCookie: (value: string) => C | undefined,
  authorization: string | undefined,
): RequestCredentials<C> | undefined {
  if (typeof sessionToken === 'string' && sessionToken !== '')
    return { token: sessionToken, cookie: undefined };
  const cookie = cookieValue === undefined ? undefined : openCookie(cookieValue);
  if (cookie !== undefined) return { token: cookie.token, cookie };
  const token = bearerToken(authorization);
  return token === undefined ? undefined : { token, cookie: undefined };
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^bearer /i.test(authorization)) return undefined;
  const token = authorization.slice(7).trim();
  return token === '' ? undefined : token;
}

/** The session token alone (see requestCredentials). */
export function sessionTokenFrom(request: FastifyRequest, sources: TokenSources): string | undefined {
  return requestCredentials(request, sources)?.token;
}
