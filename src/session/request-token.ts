import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { decodeSessionCookie } from './cookie.js';

export interface TokenSources {
  cookieName: string;
  cookieKeys: readonly string[];
}

/**
 * The session token a request carries, in Kratos's order: `X-Session-Token`, then
 * `Authorization: Bearer`, then the session cookie (whose signature must verify).
 */
export function sessionTokenFrom(request: FastifyRequest, sources: TokenSources): string | undefined {
  const header = request.headers['x-session-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization !== undefined && /^bearer /i.test(authorization)) {
    const token = authorization.slice(7).trim();
    if (token !== '') return token;
  }
  return decodeSessionCookie(request.cookies?.[sources.cookieName], sources.cookieKeys);
}
