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

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes of a per-pause payload key. */
export const PAYLOAD_KEY_BYTES = 32;

/** Marks this format, so a later one can be told apart. */
const COOKIE_PREFIX = 'sc1.';
const COOKIE_KEY_INFO = 'settings continuity cookie v1';

const derivedKeys = new Map<string, Buffer>();

function cookieKeyOf(secret: string): Buffer {
  let key = derivedKeys.get(secret);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', secret, 'portcullis', COOKIE_KEY_INFO, 32));
    // A handful of secrets per process; bounded anyway, should a caller pass many.
    if (derivedKeys.size >= 64) derivedKeys.clear();
    derivedKeys.set(secret, key);
  }
  return key;
}

function seal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    // Not sealed under this key, or changed since: the caller tries the next key or gives up.
    return undefined;
  }
}

const COOKIE_AAD = Buffer.from(COOKIE_KEY_INFO);

/** `text` sealed under the first cookie secret, as a cookie value. */
export function sealContinuityCookie(text: string, keys: readonly string[]): string {
  const [secret] = keys;
  if (secret === undefined || secret === '') throw new Error('no cookie secret configured');
  return (
    COOKIE_PREFIX + seal(cookieKeyOf(secret), Buffer.from(text, 'utf8'), COOKIE_AAD).toString('base64url')
  );
}

/** The text a cookie value seals, or undefined when no cookie secret opens it (forged, changed, old). */
export function openContinuityCookie(value: string | undefined, keys: readonly string[]): string | undefined {
  if (value === undefined || !value.startsWith(COOKIE_PREFIX)) return undefined;
  const sealed = Buffer.from(value.slice(COOKIE_PREFIX.length), 'base64url');
  for (const secret of keys) {
    if (secret === '') continue;
    const plain = open(cookieKeyOf(secret), sealed, COOKIE_AAD);
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
  return seal(key, Buffer.from(text, 'utf8'), Buffer.from(binding, 'utf8')).toString('base64url');
}

/** The text `sealed` holds, or undefined when `key` or `binding` is not the one it was sealed with. */
export function openPayload(sealed: string, key: Buffer, binding: string): string | undefined {
  if (key.length !== PAYLOAD_KEY_BYTES) return undefined;
  return open(key, Buffer.from(sealed, 'base64url'), Buffer.from(binding, 'utf8'))?.toString('utf8');
}
