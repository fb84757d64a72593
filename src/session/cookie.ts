import { createHmac, timingSafeEqual } from 'node:crypto';
import { derivedKeyRing, openAesGcm, sealAesGcm } from '../kernel/aead.js';

/** Marks the sealed format; anything else is read as the older signed one (see decode). */
const SEALED = 's1.';

/** Cookie secrets, each stretched once into an AES-256 key of this purpose. */
const keyOf = derivedKeyRing('session cookie v1');

/** Separates the token from the session's expiry in a sealed cookie (no token holds it). */
const EXPIRY_MARK = '~';

/**
 * The session cookie's value: the session token sealed with AES-256-GCM under `secrets.cookie`,
 * opaque and authenticated, as Kratos's cookie store (gorilla securecookie, encrypted and
 * signed): the cookie does not show the token it carries, so a cookie read off a browser is not
 * also a bearer token for `X-Session-Token`, and one not issued here is refused before any
 * lookup. Sealed with the first key; every key opens, so cookie secrets can rotate. With
 * `expiresAt`, the session's expiry as the cookie was written travels sealed beside the token,
 * as Kratos keeps `expires_at` in its cookie: whoami writes the cookie again once the session
 * outlives it (an admin extended it).
 */
export function encodeSessionCookie(token: string, keys: readonly string[], expiresAt?: Date): string {
  const [secret] = keys;
  if (secret === undefined) throw new Error('no cookie secret configured');
  const plain =
    expiresAt === undefined ? token : `${token}${EXPIRY_MARK}${Math.floor(expiresAt.getTime() / 1000)}`;
  return SEALED + sealAesGcm(keyOf(secret), plain).toString('base64url');
}

/** An opened session cookie: its token and, when it was written with one, the session's expiry then. */
export interface OpenedSessionCookie {
  token: string;
  /** Unix seconds; undefined for cookies written without it (older ones). */
  expiresAtSeconds: number | undefined;
}

export function openSessionCookie(
  value: string | undefined,
  keys: readonly string[],
): OpenedSessionCookie | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith(SEALED)) {
    const token = verifySigned(value, keys);
    return token === undefined ? undefined : { token, expiresAtSeconds: undefined };
  }
  const plain = openSealed(value, keys);
  if (plain === undefined) return undefined;
  const mark = plain.indexOf(EXPIRY_MARK);
  if (mark === -1) return { token: plain, expiresAtSeconds: undefined };
  const seconds = Number(plain.slice(mark + 1));
  return {
    token: plain.slice(0, mark),
    expiresAtSeconds: Number.isSafeInteger(seconds) ? seconds : undefined,
  };
}

export function decodeSessionCookie(value: string | undefined, keys: readonly string[]): string | undefined {
  return openSessionCookie(value, keys)?.token;
}

function openSealed(value: string, keys: readonly string[]): string | undefined {
  const raw = Buffer.from(value.slice(SEALED.length), 'base64url');
  for (const secret of keys) {
    // Not this key (or tampered): try the next.
    const plain = openAesGcm(keyOf(secret), raw);
    if (plain !== undefined) return plain.toString('utf8');
  }
  return undefined;
}

/**
 * The format cookies had before they were sealed: the token and an HMAC of it. Still read, so
 * browsers signed in before an upgrade stay signed in until their cookie is next written.
 */
function verifySigned(value: string, keys: readonly string[]): string | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'utf8');
  for (const key of keys) {
    const expected = Buffer.from(mac(token, key), 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return token;
  }
  return undefined;
}

function mac(token: string, key: string): string {
  return createHmac('sha256', key).update(`session-cookie:${token}`).digest('base64url');
}

/**
 * The value of the first cookie called `name` in a `Cookie` header, parsed exactly as
 * `@fastify/cookie` (the `cookie` package's `parseCookie`) parses it: pairs split on `;`, name
 * and value trimmed of spaces and tabs, the first occurrence wins, `%`-escapes decoded when they
 * decode. For routes that need one cookie and run where no cookie-parsing hook ran (parsing every
 * request's cookies up front costs even the requests that carry a token header instead).
 */
export function cookieNamed(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const length = header.length;
  let index = 0;
  while (index < length) {
    const eq = header.indexOf('=', index);
    if (eq === -1) return undefined;
    const semicolon = header.indexOf(';', index);
    const end = semicolon === -1 ? length : semicolon;
    if (eq > end) {
      // A pair without `=`: skip to the last `;` before the next `=`, as `parseCookie` does.
      index = header.lastIndexOf(';', eq - 1) + 1;
      continue;
    }
    if (trimmed(header, index, eq) === name) return decodeCookieValue(trimmed(header, eq + 1, end));
    index = end + 1;
  }
  return undefined;
}

function trimmed(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
