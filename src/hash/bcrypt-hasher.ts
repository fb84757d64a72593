/** The bcrypt hasher. */
import { BCRYPT_MAX_PASSWORD_BYTES, BcryptPasswordTooLongError } from './errors.js';
import { sharedHashPool } from './hash-pool.js';
import type { Hasher } from './hasher.js';
import { bcryptCostOf } from './schemes/bcrypt.js';

/** Creates a bcrypt hasher with a validated cost; hashing runs on the hash pool. */
export function createBcryptHasher(cost: number): Hasher {
  const fits = (password: string): boolean =>
    Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_PASSWORD_BYTES;
  return {
    algorithm: 'bcrypt',
    canHash: fits,
    async hash(password) {
      const bytes = Buffer.from(password, 'utf8');
      if (bytes.length > BCRYPT_MAX_PASSWORD_BYTES) throw new BcryptPasswordTooLongError(bytes.length);
      return sharedHashPool().bcryptHash(bytes, cost);
    },
    // $2a$/$2b$/$2y$ at the configured cost all count as current: the variants differ only in
    // how old, buggy implementations handled 8-bit characters, not in the algorithm we run.
    needsRehash: (encoded) => bcryptCostOf(encoded) !== cost,
  };
}
