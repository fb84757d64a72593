/** Every stored-hash format we verify, and the lookup from a hash string to its scheme. */
import { argon2idScheme, argon2iScheme } from './argon2.js';
import { bcryptScheme } from './bcrypt.js';
import { firescryptScheme } from './firescrypt.js';
import { hmacScheme } from './hmac.js';
import { md5Scheme } from './md5.js';
import { md5CryptScheme } from './md5-crypt.js';
import { pbkdf2Scheme } from './pbkdf2.js';
import { saltedShaScheme } from './salted-sha.js';
import type { DecodedHash, HashScheme } from './scheme.js';
import { scryptScheme } from './scrypt.js';
import { sha256CryptScheme, sha512CryptScheme } from './sha-crypt.js';
import { sshaScheme } from './ssha.js';

/** The formats Kratos accepts for imported passwords, in Kratos's order. Prefixes do not overlap. */
export const HASH_SCHEMES: readonly HashScheme[] = [
  md5CryptScheme,
  bcryptScheme,
  sha256CryptScheme,
  sha512CryptScheme,
  argon2idScheme,
  argon2iScheme,
  pbkdf2Scheme,
  scryptScheme,
  sshaScheme,
  saltedShaScheme,
  firescryptScheme,
  md5Scheme,
  hmacScheme,
];

/** Longer strings are not hashes of any supported format (the longest, firescrypt, is ~300). */
const MAX_ENCODED_LENGTH = 4096;

/**
 * Finds the scheme that owns `encoded` and decodes it.
 *
 * @returns the decoded hash, or `undefined` for unknown and garbled strings.
 */
export function decodeHash(encoded: string): DecodedHash | undefined {
  if (typeof encoded !== 'string' || encoded.length > MAX_ENCODED_LENGTH) return undefined;
  return HASH_SCHEMES.find((scheme) => scheme.claims(encoded))?.decode(encoded);
}
