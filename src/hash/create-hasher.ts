/** Builds the configured {@link Hasher}. */
import { createArgon2Hasher } from './argon2-hasher.js';
import { createBcryptHasher } from './bcrypt-hasher.js';
import { argon2Params, bcryptCost, type HasherConfig } from './config.js';
import { InvalidHasherConfigError } from './errors.js';
import type { Hasher } from './hasher.js';

/**
 * Creates the hasher `config.algorithm` selects, validating its parameters up front. Both hash on
 * the hash pool (hash-pool.ts), which bounds them.
 *
 * @throws {@link InvalidHasherConfigError} when the config cannot produce a working hasher.
 */
export function createHasher(config: HasherConfig): Hasher {
  switch (config.algorithm) {
    case 'argon2':
      return createArgon2Hasher(argon2Params(config.argon2));
    case 'bcrypt':
      return createBcryptHasher(bcryptCost(config.bcrypt));
    default:
      throw new InvalidHasherConfigError(
        'hashers.algorithm',
        `must be "argon2" or "bcrypt", got ${JSON.stringify(config.algorithm satisfies never)}`,
      );
  }
}
