import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets we must be able to read back (web-hook credentials queued in the
 * outbox, tokens a provider gave us), as Kratos's `ciphers.algorithm` does. AES-256-GCM with
 * a random 96-bit nonce; the first key of the ring encrypts, every key is tried to decrypt,
 * so keys rotate by prepending a new one.
 */
export interface SecretCipher {
  encrypt(plaintext: string): string;
  /** Throws CipherError when no key of the ring opens the value. */
  decrypt(sealed: string): string;
}

export class CipherError extends Error {
  readonly id = 'cipher_failed';
}

// A version prefix lets a later format (another algorithm) coexist with stored values.
const PREFIX = 'pc1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * `cipherKeys` are `secrets.cipher` (Kratos requires exactly 32 characters; we hash any length
 * to 32 bytes); when empty, keys are derived from `fallbackKeys` (`secrets.default`) with HKDF,
 * so encryption at rest never needs an extra setting to be on.
 */
export function createSecretCipher(
  cipherKeys: readonly string[],
  fallbackKeys: readonly string[],
): SecretCipher {
  const keys =
    cipherKeys.length > 0
      ? cipherKeys.map((k) => createHash('sha256').update(k, 'utf8').digest())
      : fallbackKeys.map((k) =>
          Buffer.from(hkdfSync('sha256', k, 'portcullis', 'portcullis cipher at rest v1', 32)),
        );
  const [current] = keys;
  if (!current) throw new CipherError('no key to encrypt with: set secrets.cipher or secrets.default');
  return {
    encrypt(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    decrypt(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new CipherError('not a value this cipher sealed');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new CipherError('sealed value is truncated');
      const nonce = raw.subarray(0, NONCE_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce);
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        } catch {
          // Authentication failed with this key: try the next (rotation).
        }
      }
      throw new CipherError('no key of the ring opens this value');
    },
  };
}
