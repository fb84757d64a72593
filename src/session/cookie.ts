import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The session cookie's value: the session token and an HMAC of it under `secrets.cookie`,
 * so a cookie that was not issued here is refused before any lookup. Signed with the first
 * key; every key verifies, so cookie secrets can rotate.
 */
export function encodeSessionCookie(token: string, keys: readonly string[]): string {
  const [key] = keys;
  if (key === undefined) throw new Error('no cookie secret configured');
  return `${token}.${mac(token, key)}`;
}

export function decodeSessionCookie(value: string | undefined, keys: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
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
