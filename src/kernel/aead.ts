import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM as every sealed value here uses it (session cookies, the settings continuity
 * cookie and payload, secrets at rest): a random 96-bit nonce, then the ciphertext, then the
 * 128-bit tag, in one buffer.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** `plain` sealed under `key` (32 bytes), bound to `aad` when given. */
export function sealAesGcm(key: Buffer, plain: string | Buffer, aad?: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad !== undefined) cipher.setAAD(aad);
  const body = Buffer.concat([
    typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain),
    cipher.final(),
  ]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/**
 * What `sealed` holds, or undefined when `key` (or `aad`) is not the one it was sealed with, or it
 * was changed or cut short: the caller tries its next key, or gives up.
 */
export function openAesGcm(key: Buffer, sealed: Buffer, aad?: Buffer): Buffer | undefined {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    if (aad !== undefined) decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/**
 * AES-256 keys derived from configured secrets with HKDF under `info` (one purpose per `info`,
 * so no value sealed for one purpose opens as another's), each derived once per process.
 */
export function derivedKeyRing(info: string): (secret: string) => Buffer {
  const derived = new Map<string, Buffer>();
  return (secret) => {
    let key = derived.get(secret);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', secret, 'portcullis', info, 32));
      // A handful of secrets per process; bounded anyway, should a caller pass many.
      if (derived.size >= 64) derived.clear();
      derived.set(secret, key);
    }
    return key;
  };
}
