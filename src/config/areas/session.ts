import { parseDuration } from '../../kernel/duration.js';
import { nonEmptyString } from '../document-read.js';
import type { KratosConfigDocument } from '../types.js';

export type SameSite = 'Strict' | 'Lax' | 'None';

/** Sessions and their cookie (`session.*`, with `cookies.*` as the fallback). */
export interface SessionConfig {
  readonly lifespanMs: number;
  /** A session may be extended only within this long of its expiry; undefined: at any time. */
  readonly earliestPossibleExtendMs: number | undefined;
  readonly cookie: {
    readonly name: string;
    readonly domain: string | undefined;
    readonly path: string;
    readonly sameSite: SameSite;
    /** Persistent cookies carry Max-Age = lifespan; others end with the browser. */
    readonly persistent: boolean;
    readonly secure: boolean;
  };
  /** The CSRF cookie follows `cookies.*` only: `session.cookie.*` is for the session cookie. */
  readonly csrfCookie: {
    readonly domain: string | undefined;
    readonly path: string;
    readonly sameSite: SameSite;
    readonly secure: boolean;
  };
}

const DEFAULT_LIFESPAN = '24h';

/** The object at a config key, or an empty one. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * Reads `session` and `cookies`. The schema has already checked the duration patterns, so a
 * value that does not parse here falls back to the default instead of failing twice.
 */
export function sessionConfig(document: KratosConfigDocument, dev: boolean): SessionConfig {
  const session = record(document.session);
  const cookie = record(session.cookie);
  const cookies = record(document.cookies);
  const secureSetting = nonEmptyString(cookies.secure);
  const sessionSecureSetting = nonEmptyString(cookie.secure) ?? secureSetting;
  const sameSite = (nonEmptyString(cookie.same_site) ??
    nonEmptyString(cookies.same_site) ??
    'Lax') as SameSite;
  const csrfSameSite = (nonEmptyString(cookies.same_site) ?? 'Lax') as SameSite;
  return {
    lifespanMs: parseDuration(nonEmptyString(session.lifespan) ?? DEFAULT_LIFESPAN) ?? 86_400_000,
    earliestPossibleExtendMs:
      nonEmptyString(session.earliest_possible_extend) === undefined
        ? undefined
        : parseDuration(nonEmptyString(session.earliest_possible_extend) ?? ''),
    cookie: {
      name: nonEmptyString(cookie.name) ?? 'ory_kratos_session',
      domain: nonEmptyString(cookie.domain) ?? nonEmptyString(cookies.domain),
      path: nonEmptyString(cookie.path) ?? nonEmptyString(cookies.path) ?? '/',
      sameSite,
      persistent: cookie.persistent !== false,
      // Kratos: "If unset, defaults to !dev mode". SameSite=None requires Secure in browsers.
      secure:
        sessionSecureSetting === undefined ? !dev || sameSite === 'None' : sessionSecureSetting === 'true',
    },
    csrfCookie: {
      domain: nonEmptyString(cookies.domain),
      path: nonEmptyString(cookies.path) ?? '/',
      sameSite: csrfSameSite,
      secure: secureSetting === undefined ? !dev || csrfSameSite === 'None' : secureSetting === 'true',
    },
  };
}
