import type { SessionConfig } from '../config/index.js';

/** The attributes the session cookie is written with (by the flows and by whoami's refresh). */
export interface SessionCookieAttributes {
  path: string;
  domain: string | undefined;
  httpOnly: true;
  secure: boolean;
  sameSite: 'strict' | 'lax' | 'none';
  maxAge?: number;
}

/**
 * As Kratos's IssueCookie: HttpOnly, the configured path, domain, SameSite and Secure, and, for
 * a persistent cookie, a Max-Age that ends it when the session ends (at sign-in that is the
 * lifespan; after an extension, what is left of the longer session).
 */
export function sessionCookieAttributes(
  cookie: SessionConfig['cookie'],
  expiresAt: Date,
  nowMs: number,
): SessionCookieAttributes {
  return {
    path: cookie.path,
    domain: cookie.domain,
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite.toLowerCase() as SessionCookieAttributes['sameSite'],
    ...(cookie.persistent ? { maxAge: Math.max(0, Math.floor((expiresAt.getTime() - nowMs) / 1000)) } : {}),
  };
}
