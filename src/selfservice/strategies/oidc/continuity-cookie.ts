import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../../kernel/sha256.js';
import type { CookieSettings } from '../../flow/http-context.js';

/**
 * The cookie that ties a provider's callback to the browser that was sent to the provider
 * (Kratos's continuity cookie). It holds a random value; the state row keeps its hash.
 */
export const CONTINUITY_COOKIE = 'ory_kratos_continuity';

/** Sets a new continuity cookie and returns the hash its callback must match. */
export function setContinuityCookie(
  reply: FastifyReply,
  settings: CookieSettings,
  maxAgeSeconds: number,
): string {
  const value = randomBytes(32).toString('base64url');
  reply.setCookie(CONTINUITY_COOKIE, value, {
    path: settings.csrf.path,
    domain: settings.csrf.domain,
    httpOnly: true,
    secure: settings.csrf.secure,
    // Lax: the provider sends the browser back with a top-level GET from its own site.
    sameSite: 'lax',
    maxAge: maxAgeSeconds,
  });
  return sha256Hex(value);
}

/**
 * The `browserHash` of a sign-in an api flow started with a session token exchange: no browser
 * is bound (the callback checks the flow instead). Never a SHA-256 hex, so no cookie matches it.
 */
export const NO_BROWSER_BINDING = '';

/** Whether the request carries the continuity cookie whose hash is `expected`; clears it either way. */
export function matchesContinuityCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: CookieSettings,
  expected: string,
): boolean {
  const value = request.cookies?.[CONTINUITY_COOKIE];
  reply.clearCookie(CONTINUITY_COOKIE, { path: settings.csrf.path, domain: settings.csrf.domain });
  if (value === undefined || value === '') return false;
  const actual = Buffer.from(sha256Hex(value));
  const wanted = Buffer.from(expected);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}
