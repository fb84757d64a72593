import { parseDuration } from '../../kernel/duration.js';
import { goBool } from '../../kernel/go-bool.js';
import { nonEmptyString, objectOrEmpty } from '../document-read.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument } from '../types.js';

export type SameSite = 'Strict' | 'Lax' | 'None';

/** Sessions and their cookie (`session.*`, with `cookies.*` as the fallback). */
export interface SessionConfig {
  readonly lifespanMs: number;
  /** A session may be extended only within this long of its expiry; undefined: at any time. */
  readonly earliestPossibleExtendMs: number | undefined;
  /** `feature_flags.faster_session_extend`: the admin extend answers 204 without the session. */
  readonly fasterExtend: boolean;
  readonly cookie: {
    readonly name: string;
    readonly domain: string | undefined;
    readonly path: string;
    readonly sameSite: SameSite;
    /** Persistent cookies carry Max-Age = lifespan; others end with the browser. */
    readonly persistent: boolean;
    /** `session.cookie.secure`, else !dev (never `cookies.secure`). */
    readonly secure: boolean;
  };
  /**
   * The CSRF cookie follows `cookies.*` only: `session.cookie.*` is for the session cookie. Its
   * SameSite is Lax whenever it is not Secure. The OIDC continuity cookie shares its Secure.
   */
  readonly csrfCookie: {
    readonly domain: string | undefined;
    readonly path: string;
    readonly sameSite: SameSite;
    readonly secure: boolean;
  };
}

const DEFAULT_LIFESPAN = '24h';

/** The keys that say whether a cookie is `Secure`: strings in Kratos's schema, booleans in use. */
const SECURE_KEYS = [
  ['session', 'cookie', 'secure'],
  ['cookies', 'secure'],
] as const;

/**
 * Refuses a `secure` value that is not one of Go's boolean spellings: Kratos would read "yes" or
 * "on" as false and send the cookie over plain HTTP, the opposite of what was asked.
 */
export function cookieSecureIssues(document: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const path of SECURE_KEYS) {
    let value: unknown = document;
    for (const key of path) value = objectOrEmpty(value)[key];
    if (typeof value === 'string' && value !== '' && goBool(value) === undefined) {
      issues.push({
        path: path.join('.'),
        message: `"${value}" is not a boolean: use "true" or "false" (or 1/0, t/f, as Go's strconv.ParseBool)`,
      });
    }
  }
  return issues;
}

/** A `secure` setting: its boolean when set (see cookieSecureIssues), else undefined. */
function secureFlag(value: unknown): boolean | undefined {
  const text = nonEmptyString(value);
  return text === undefined ? undefined : (goBool(text) ?? true);
}

/**
 * Reads `session` and `cookies`. The schema has already checked the duration patterns, so a
 * value that does not parse here falls back to the default instead of failing twice.
 */
export function sessionConfig(document: KratosConfigDocument, dev: boolean): SessionConfig {
  const session = objectOrEmpty(document.session);
  const cookie = objectOrEmpty(session.cookie);
  const cookies = objectOrEmpty(document.cookies);
  const sameSite = (nonEmptyString(cookie.same_site) ??
    nonEmptyString(cookies.same_site) ??
    'Lax') as SameSite;
  return {
    lifespanMs: parseDuration(nonEmptyString(session.lifespan) ?? DEFAULT_LIFESPAN) ?? 86_400_000,
    earliestPossibleExtendMs:
      nonEmptyString(session.earliest_possible_extend) === undefined
        ? undefined
        : parseDuration(nonEmptyString(session.earliest_possible_extend) ?? ''),
    fasterExtend: objectOrEmpty(document.feature_flags).faster_session_extend === true,
    cookie: {
      name: nonEmptyString(cookie.name) ?? 'ory_kratos_session',
      domain: nonEmptyString(cookie.domain) ?? nonEmptyString(cookies.domain),
      path: nonEmptyString(cookie.path) ?? nonEmptyString(cookies.path) ?? '/',
      sameSite,
      persistent: cookie.persistent !== false,
      secure: sessionCookieSecure(cookie.secure, sameSite, dev),
    },
    csrfCookie: csrfCookieConfig(cookies, dev),
  };
}

/**
 * The session cookie's `Secure`, as Kratos's SessionCookieSecure: `session.cookie.secure` when
 * set, else !dev. `cookies.secure` is not read (Kratos reads it only in CookieSecure, for the
 * CSRF and continuity cookies), so it cannot make the session cookie travel over plain HTTP in
 * production. In --dev, a session cookie with SameSite=None is Secure all the same: browsers
 * drop `SameSite=None` without `Secure`.
 */
function sessionCookieSecure(setting: unknown, sameSite: SameSite, dev: boolean): boolean {
  return secureFlag(setting) ?? (!dev || sameSite === 'None');
}

/**
 * The anti-CSRF cookie, as Kratos's NosurfBaseCookieHandler: `cookies.*` only; Secure from
 * `cookies.secure`, else !dev (CookieSecure); and when it is not Secure its SameSite is Lax
 * whatever `cookies.same_site` says, since browsers reject `SameSite=None` without `Secure`
 * ("chrome rejects none samesite on non-https"). SameSite=None never forces Secure here.
 */
function csrfCookieConfig(cookies: Record<string, unknown>, dev: boolean): SessionConfig['csrfCookie'] {
  const secure = secureFlag(cookies.secure) ?? !dev;
  const sameSite = (nonEmptyString(cookies.same_site) ?? 'Lax') as SameSite;
  return {
    domain: nonEmptyString(cookies.domain),
    path: nonEmptyString(cookies.path) ?? '/',
    sameSite: secure ? sameSite : 'Lax',
    secure,
  };
}
