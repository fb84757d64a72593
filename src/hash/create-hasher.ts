/** Builds the configured {@link Hasher}. */
import { createArgon2Hasher } from './argon2-hasher.js';
import { createBcryptHasher } from './bcrypt-hasher.js';
import { argon2Params, bcryptCost, type HasherConfig } from './config.js';
import { InvalidHasherConfigError } from './errors.js';
import type { Hasher } from './hasher.js';
import { type Semaphore, sharedHashLimiter } from './semaphore.js';

/** Options shared by {@link createHasher} and `createPasswordHashing`. */
export interface HashingOptions {
  /**
   * Bounds concurrent hashes on libuv's threadpool (bcrypt and the imported formats); defaults to
   * the process-wide {@link sharedHashLimiter}. argon2 runs on the hash pool, its own limiter.
   */
  limiter?: Semaphore;
}

/**
 * Creates the hasher `config.algorithm` selects, validating its parameters up front.
 *
 * @throws {@link InvalidHasherConfigError} when the config cannot produce a working hasher.
 */
export function createHasher(config: HasherConfig, options: HashingOptions = {}): Hasher {
  const limiter = options.limiter ?? sharedHashLimiter();
  switch (config.algorithm) {
    case 'argon2':
      return createArgon2Hasher(argon2Params(config.argon2));
    case 'bcrypt':
      return createBcryptHasher(bcryptCost(config.bcrypt), limiter);
    default:
      throw new InvalidHasherConfigError(
        'hashers.algorithm',
        `must be "argon2" or "bcrypt", got ${JSON.stringify(config.algorithm satisfies never)}`,
      );
  }
}
