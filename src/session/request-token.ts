import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { cookieNamed, type OpenedSessionCookie, openSessionCookie } from './cookie.js';

export interface TokenSources {
  cookieName: string;
  cookieKeys: readonly string[];
}

/** The token a request carries, and the cookie it came from, if it came from one. */
export interface RequestCredentials {
  token: string;
  /** The session cookie that carried the token (see OpenedSessionCookie); undefined for headers. */
  cookie: OpenedSessionCookie | undefined;
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
  const header = request.headers['x-session-token'];
  if (typeof header === 'string' && header !== '') return { token: header, cookie: undefined };
  // `request.cookies` is filled by @fastify/cookie's hook where one runs; elsewhere the one cookie
  // needed is read from the header here.
  const cookies = request.cookies as Record<string, string | undefined> | null | undefined;
  const value =
    cookies != null ? cookies[sources.cookieName] : cookieNamed(request.headers.cookie, sources.cookieName);
  const cookie = openSessionCookie(value, sources.cookieKeys);
  if (cookie !== undefined) return { token: cookie.token, cookie };
  const token = bearerToken(request.headers.authorization);
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
