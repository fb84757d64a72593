/**
 * The two seals of a settings change paused for a re-authentication (see continuity.ts), both
 * AES-256-GCM with a random 96-bit nonce:
 *
 * - the cookie, sealed under `secrets.cookie` (the first key seals, every key opens, so the
 *   secrets rotate as the session cookie's do): opaque and tamper-proof in the browser. Its key
 *   is derived with a label of its own, so no other cookie or value sealed under the same
 *   secrets (the session cookie, the at-rest cipher's values when `secrets.cookie` falls back to
 *   `secrets.default`) ever opens as one, nor one of these as theirs;
 * - the submission, sealed under a random key made for that one pause, which only the cookie
 *   carries, and bound (additional data) to the flow, identity and container it was made for.
 */

import { randomBytes } from 'node:crypto';
import { derivedKeyRing, openAesGcm, sealAesGcm } from '../../kernel/aead.js';

/** Bytes of a per-pause payload key. */
export const PAYLOAD_KEY_BYTES = 32;

/** Marks this format, so a later one can be told apart. */
const COOKIE_PREFIX = 'sc1.';
const COOKIE_KEY_INFO = 'settings continuity cookie v1';

const cookieKeyOf = derivedKeyRing(COOKIE_KEY_INFO);

const COOKIE_AAD = Buffer.from(COOKIE_KEY_INFO);

/** `text` sealed under the first cookie secret, as a cookie value. */
export function sealContinuityCookie(text: string, keys: readonly string[]): string {
  const [secret] = keys;
  if (secret === undefined || secret === '') throw new Error('no cookie secret configured');
  return COOKIE_PREFIX + sealAesGcm(cookieKeyOf(secret), text, COOKIE_AAD).toString('base64url');
}

/** The text a cookie value seals, or undefined when no cookie secret opens it (forged, changed, old). */
export function openContinuityCookie(value: string | undefined, keys: readonly string[]): string | undefined {
  if (value === undefined || !value.startsWith(COOKIE_PREFIX)) return undefined;
  const sealed = Buffer.from(value.slice(COOKIE_PREFIX.length), 'base64url');
  for (const secret of keys) {
    if (secret === '') continue;
    const plain = openAesGcm(cookieKeyOf(secret), sealed, COOKIE_AAD);
    if (plain !== undefined) return plain.toString('utf8');
  }
  return undefined;
}

/** A new random key for one paused submission. */
export function newPayloadKey(): Buffer {
  return randomBytes(PAYLOAD_KEY_BYTES);
}

/** `text` sealed under `key`, bound to `binding` (which opening must name again). */
export function sealPayload(text: string, key: Buffer, binding: string): string {
  return sealAesGcm(key, text, Buffer.from(binding, 'utf8')).toString('base64url');
}

/** The text `sealed` holds, or undefined when `key` or `binding` is not the one it was sealed with. */
export function openPayload(sealed: string, key: Buffer, binding: string): string | undefined {
  if (key.length !== PAYLOAD_KEY_BYTES) return undefined;
  return openAesGcm(key, Buffer.from(sealed, 'base64url'), Buffer.from(binding, 'utf8'))?.toString('utf8');
}
