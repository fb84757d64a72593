import { createHash, hkdfSync } from 'node:crypto';
import { openAesGcm, sealAesGcm } from './aead.js';

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

/** Whether `value` is in the form this module seals values in (not whether a key opens it). */
export function isSealedValue(value: string): boolean {
  return value.startsWith(PREFIX);
}

export class CipherError extends Error {
  readonly id = 'cipher_failed';
}

// A version prefix lets a later format (another algorithm) coexist with stored values.
const PREFIX = 'pc1.';

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
      return PREFIX + sealAesGcm(current, plaintext).toString('base64url');
    },
    decrypt(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new CipherError('not a value this cipher sealed');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      // Authentication fails with every key but the one that sealed it (rotation).
      for (const key of keys) {
        const plain = openAesGcm(key, raw);
        if (plain !== undefined) return plain.toString('utf8');
      }
      throw new CipherError('no key of the ring opens this value');
    },
  };
}
