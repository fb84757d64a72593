/**
 * Anti-CSRF tokens for browser flows, in the scheme of nosurf (the library Kratos uses):
 *
 * - each browser holds a 32-byte random secret in an HttpOnly cookie named
 *   `csrf_token_<sha256 hex of the public base URL>`;
 * - a flow carries the secret *masked*: a fresh 32-byte one-time pad followed by secret XOR pad,
 *   standard base64 (88 characters). It goes into the hidden `csrf_token` node and comes back
 *   in the form field or the `X-CSRF-Token` header. Masking makes every token different, so a
 *   compressed response cannot leak the secret (BREACH);
 * - a request passes when its token unmasks to the cookie's secret.
 *
 * Unlike nosurf, the cookie value is authenticated: `<secret>.<HMAC-SHA256>` in base64url,
 * signed with the first `secrets.cookie` key and verified with each, so a cookie planted by
 * a sibling subdomain (cookie tossing) cannot choose the secret.
 *
 * Pure functions over bytes and strings, no HTTP framework: flows and the UI call them anywhere.
 */

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of the secret, and of the pad, in bytes (nosurf's `tokenLength`). */
export const CSRF_SECRET_LENGTH = 32;

/** Form field carrying the masked token, and the name of the hidden node. */
export const CSRF_TOKEN_FIELD = 'csrf_token';

/** Header carrying the masked token for AJAX calls (nosurf's `HeaderName`). */
export const CSRF_HEADER = 'X-CSRF-Token';

/** Max-Age of the cookie: one year, as nosurf's `MaxAge`. */
export const CSRF_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

// Domain separation: these MACs must never verify as any other cookie's MAC under the same keys.
const MAC_LABEL = Buffer.from('portcullis csrf cookie v1\0');

const MASKED_TOKEN = /^[A-Za-z0-9+/]{86}==$/;
const COOKIE_PART = /^[A-Za-z0-9_-]{43}$/;

/** A new random secret for a browser that has no (valid) CSRF cookie. */
export function generateCsrfSecret(): Buffer {
  return randomBytes(CSRF_SECRET_LENGTH);
}

/** The secret under a fresh one-time pad: `base64(pad ‖ secret XOR pad)`. Different on every call. */
export function maskCsrfToken(secret: Buffer): string {
  assertSecret(secret);
  const pad = randomBytes(CSRF_SECRET_LENGTH);
  return Buffer.concat([pad, xor(secret, pad)]).toString('base64');
}

/** Whether `masked` (from the form or the header) unmasks to `secret`. Never throws. */
export function verifyCsrfToken(secret: Buffer, masked: string | undefined): boolean {
  if (secret.length !== CSRF_SECRET_LENGTH || masked === undefined || !MASKED_TOKEN.test(masked))
    return false;
  const bytes = Buffer.from(masked, 'base64');
  // The pattern allows non-canonical final characters that decode to the same bytes; refuse them.
  if (bytes.length !== 2 * CSRF_SECRET_LENGTH || bytes.toString('base64') !== masked) return false;
  const pad = bytes.subarray(0, CSRF_SECRET_LENGTH);
  const unmasked = xor(bytes.subarray(CSRF_SECRET_LENGTH), pad);
  return timingSafeEqual(unmasked, secret);
}

/** The cookie value for `secret`, signed with the first key. */
export function encodeCsrfCookie(secret: Buffer, keys: readonly string[]): string {
  assertSecret(secret);
  const key = keys[0];
  if (key === undefined || key === '')
    throw new Error('encodeCsrfCookie needs at least one secrets.cookie key');
  return `${secret.toString('base64url')}.${mac(secret, key).toString('base64url')}`;
}

/** The secret in a cookie value, or `undefined` when it is malformed or signed by no key in `keys`. */
export function decodeCsrfCookie(value: string | undefined, keys: readonly string[]): Buffer | undefined {
  if (value === undefined) return undefined;
  const parts = value.split('.');
  if (parts.length !== 2) return undefined;
  const [secretText = '', macText = ''] = parts;
  if (!COOKIE_PART.test(secretText) || !COOKIE_PART.test(macText)) return undefined;
  const secret = Buffer.from(secretText, 'base64url');
  const sent = Buffer.from(macText, 'base64url');
  if (secret.toString('base64url') !== secretText || sent.toString('base64url') !== macText) return undefined;
  // Every key is tried, even after a match, so the time taken does not tell which key signed.
  let valid = false;
  for (const key of keys) {
    if (key !== '' && timingSafeEqual(mac(secret, key), sent)) valid = true;
  }
  return valid ? secret : undefined;
}

/**
 * Kratos's cookie name (CSRFCookieName): `csrf_token_` + hex SHA-256 of the public base URL as
 * Go prints it. Pass the configured `serve.public.base_url` text (the serve config's
 * `baseUrlText`, as the wiring does) to get Kratos's exact name; Go only lower-cases the scheme
 * (`http://127.0.0.1:4433/` gives `csrf_token_806060ca…f481`, `http://foo.com/bar`
 * `csrf_token_01c86631…d32f`). A `URL` is hashed as its `href`, which always has a path (`/`)
 * and a normalised host, so it can differ from Kratos's.
 */
export function csrfCookieName(publicBaseUrl: string | URL): string {
  const text =
    typeof publicBaseUrl === 'string'
      ? publicBaseUrl.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, (scheme) => scheme.toLowerCase())
      : publicBaseUrl.href;
  return `csrf_token_${createHash('sha256').update(text).digest('hex')}`;
}

function mac(secret: Buffer, key: string): Buffer {
  return createHmac('sha256', key).update(MAC_LABEL).update(secret).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

function assertSecret(secret: Buffer): void {
  if (secret.length !== CSRF_SECRET_LENGTH) {
    throw new RangeError(`a CSRF secret has ${CSRF_SECRET_LENGTH} bytes, got ${secret.length}`);
  }
}
