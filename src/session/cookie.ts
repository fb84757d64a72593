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
