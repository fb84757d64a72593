import { PRIVATE_NO_STORE } from '../kernel/cache-control.js';
import type { OpenedSessionCookie } from './cookie.js';

/** Where whoami is served on the public listener. */
export const WHOAMI_PATH = '/sessions/whoami';

/**
 * whoami's response headers, in the order it writes them, for the route and for the fast path
 * (which also gives the length; Fastify works it out itself).
 */
export function whoamiHeaders(identityId: string, contentLength?: number): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'x-kratos-authenticated-identity-id': identityId,
    'cache-control': PRIVATE_NO_STORE,
    'content-type': 'application/json; charset=utf-8',
  };
  if (contentLength !== undefined) headers['content-length'] = contentLength;
  return headers;
}

/**
 * Whether a session cookie already remembers the session's expiry (or a later one). One that does
 * not — written before the session was extended, or by an older version without the expiry — is
 * written again, as Kratos's RefreshCookie does, so the browser keeps it as long as the session lasts.
 */
export function cookieIsCurrent(cookie: OpenedSessionCookie, sessionExpiresAtMs: number): boolean {
  const written = cookie.expiresAtSeconds;
  return written !== undefined && written >= Math.floor(sessionExpiresAtMs / 1000);
}
