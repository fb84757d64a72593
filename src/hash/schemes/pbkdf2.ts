/**
 * Kratos's PBKDF2 format: `$pbkdf2-<digest>$i=<iterations>,l=<key length>$<salt>$<key>`, salt and
 * key in unpadded base64 (what Kratos's own `hash.Pbkdf2` writes).
 */
import { pbkdf2 } from 'node:crypto';
import { equalBytes } from '../constant-time.js';
import { decodeBase64Raw } from '../encoding.js';
import { boundedInteger } from './bounded-integer.js';
import { MAX_DERIVED_KEY_BYTES, MAX_PBKDF2_ITERATIONS, MIN_DERIVED_KEY_BYTES } from './limits.js';
import type { HashScheme } from './scheme.js';

const PBKDF2 = /^\$pbkdf2-(sha\d{1,3})\$i=(\d+),l=(\d+)\$([^$]*)\$([^$]*)$/;

/**
 * Kratos maps `sha224` and `sha384` to SHA3-224 and SHA3-384 (golang.org/x/crypto/sha3), and any
 * other `sha<digits>` to SHA-256. Hashes Kratos wrote only verify with the same quirk, so we copy
 * it rather than "fix" it.
 */
function kratosDigest(name: string): string {
  switch (name) {
    case 'sha1':
      return 'sha1';
    case 'sha224':
      return 'sha3-224';
    case 'sha384':
      return 'sha3-384';
    case 'sha512':
      return 'sha512';
    default:
      return 'sha256';
  }
}

function derive(
  password: Buffer,
  salt: Buffer,
  iterations: number,
  length: number,
  digest: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, digest, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `$pbkdf2-sha1$`, `-sha224$`, `-sha256$`, `-sha384$`, `-sha512$` (and other `-sha<n>$`, as SHA-256). */
export const pbkdf2Scheme: HashScheme = {
  id: 'pbkdf2',
  claims: (encoded) => /^\$pbkdf2-sha\d{1,3}\$/.test(encoded),
  decode(encoded) {
    const match = PBKDF2.exec(encoded);
    if (match === null) return undefined;
    const [, digestName, i, l, saltText, keyText] = match;
    const iterations = boundedInteger(i!, 1, MAX_PBKDF2_ITERATIONS);
    // `l=` must be a number but, as in Kratos, the key's own length is what gets compared.
    const declaredLength = boundedInteger(l!, 0, MAX_DERIVED_KEY_BYTES);
    const salt = decodeBase64Raw(saltText!);
    const key = decodeBase64Raw(keyText!);
    if (iterations === undefined || declaredLength === undefined || salt === undefined || key === undefined) {
      return undefined;
    }
    if (key.length < MIN_DERIVED_KEY_BYTES || key.length > MAX_DERIVED_KEY_BYTES) return undefined;
    const digest = kratosDigest(digestName!);
    return {
      scheme: 'pbkdf2',
      matches: async (password) =>
        equalBytes(await derive(password, salt, iterations, key.length, digest), key),
    };
  },
};
