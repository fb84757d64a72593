/**
 * The in-process `SessionChecker`: a `check_session_url` that is this process's own
 * `<serve.public.base_url>sessions/whoami` is answered by the session manager directly, with
 * no HTTP hop. It reads the token as whoami does (X-Session-Token, the sealed session cookie,
 * Authorization: Bearer) and answers with whoami's JSON. The manager's cache is invalidated
 * on revocation, so a revoked session is refused on the next request.
 */

import { hash } from 'node:crypto';
import { cookieNamed, decodeSessionCookie } from '../session/cookie.js';
import type { Authenticated, CachedSession, SessionManager } from '../session/manager.js';
import { tokenInOrder } from '../session/request-token.js';
import type { JsonObject } from '../session/serialize.js';
import type { MaybePromise } from './pipeline/handler.js';
import type { SessionChecker, SessionCheckRequest, SessionCheckResult } from './pipeline/index.js';

export interface InProcessSessionCheckerDeps {
  sessions: Pick<SessionManager, 'authenticate' | 'authenticateFromMemory' | 'whoamiJson'>;
  /** `serve.public.base_url`. */
  publicBaseUrl: string;
  cookieName: string;
  cookieKeys: readonly string[];
  /** Cookie values remembered with the token they opened to (see `verifiedCookieMemo`). */
  verifiedCookies?: number;
}

/** A session token a cookie value opened to. */
interface OpenedToken {
  token: string;
}

/** About 45 bytes each. */
const VERIFIED_COOKIE_ENTRIES = 10_000;

export function inProcessSessionChecker(deps: InProcessSessionCheckerDeps): SessionChecker {
  const whoami = new URL('sessions/whoami', deps.publicBaseUrl);
  const key = (url: URL): string => `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const own = key(whoami);
  const cookies = verifiedCookieMemo(deps.cookieKeys, deps.verifiedCookies ?? VERIFIED_COOKIE_ENTRIES);
  const bodies = whoamiBodies(deps.sessions);
  const answer = (authenticated: Authenticated | undefined): SessionCheckResult =>
    authenticated === undefined
      ? { kind: 'rejected', status: 401 }
      : { kind: 'ok', body: bodies(authenticated), shared: true };
  const unavailable = (error: unknown): SessionCheckResult => ({
    kind: 'unavailable',
    reason: error instanceof Error ? error.message : 'session check failed',
  });
  // A session in this process's cache is answered without a promise (the common case); only a
  // lookup in Redis or SQL waits.
  const checkHeaders = (headers: Readonly<Record<string, string>>): MaybePromise<SessionCheckResult> => {
    const token = tokenInOrder(
      headers['x-session-token'],
      cookieNamed(headers.cookie, deps.cookieName),
      cookies,
      headers.authorization,
    )?.token;
    if (token === undefined) return { kind: 'rejected', status: 401 };
    try {
      const cached = deps.sessions.authenticateFromMemory(token);
      if (cached !== undefined) return answer(cached);
      return deps.sessions.authenticate(token).then(answer, unavailable);
    } catch (error) {
      return unavailable(error);
    }
  };
  return {
    handles: (url) => key(url) === own,
    // whoami reads nothing but the token, so the URL and method of the check do not matter.
    check: async (request: SessionCheckRequest) => checkHeaders(request.headers),
    checkHeaders,
  };
}

/**
 * whoami's JSON, one object per cached session entry and the identity entry it was built
 * with. Cache entries are replaced, never mutated, when they change (session/manager.ts), so
 * the object is shared by every check of that session (checks derive subject and extra from it
 * once) and a changed, extended or revoked session gets another one, or none.
 */
function whoamiBodies(
  sessions: Pick<SessionManager, 'whoamiJson'>,
): (authenticated: Authenticated) => JsonObject {
  const kept = new WeakMap<CachedSession, { identity: Authenticated['identity']; body: JsonObject }>();
  return (authenticated) => {
    const found = kept.get(authenticated.session);
    if (found !== undefined && found.identity === authenticated.identity) return found.body;
    const body = sessions.whoamiJson(authenticated);
    kept.set(authenticated.session, { identity: authenticated.identity, body });
    return body;
  };
}

/**
 * A bounded memo of the session cookie values that opened, with the token each carries, so a
 * browser's next request does not pay the AES-GCM open again (`createDecipheriv` per request:
 * about 2.8 µs, against 0.25 µs for the digest that finds it here).
 *
 * Why this is safe:
 * - It is keyed by SHA-256 digests of the cookie values, a key the caller cannot steer. It holds
 *   the tokens those cookies carry: anyone who can read this process's memory can read
 *   `secrets.cookie` too, and with it open every cookie, so this adds nothing to learn.
 * - Whether a value opens depends only on it and `secrets.cookie`, which are fixed for the
 *   process's lifetime, so an entry never goes stale; a cookie of a revoked session still opens
 *   and is then refused by the session lookup, as before.
 * - Only values that opened are remembered, so forged cookies cannot churn it; the oldest
 *   entry goes first past `max`.
 */
function verifiedCookieMemo(
  keys: readonly string[],
  max: number,
): (value: string) => OpenedToken | undefined {
  const opened = new Map<string, OpenedToken>();
  return (value) => {
    const digest = hash('sha256', value, 'base64url');
    const known = opened.get(digest);
    if (known !== undefined) return known;
    const token = decodeSessionCookie(value, keys);
    if (token === undefined) return undefined;
    const entry = { token };
    if (opened.size >= max) {
      // Maps iterate in insertion order: the first is the oldest.
      const oldest = opened.keys().next();
      if (!oldest.done) opened.delete(oldest.value);
    }
    opened.set(digest, entry);
    return entry;
  };
}
