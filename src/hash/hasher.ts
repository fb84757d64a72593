/** The hasher interface: how new passwords are hashed with the configured algorithm. */
import type { HashAlgorithm } from './config.js';

/** Hashes new passwords with the configured algorithm and parameters. */
export interface Hasher {
  /** The configured algorithm (`hashers.algorithm`). */
  readonly algorithm: HashAlgorithm;
  /**
   * Hashes `password` off the event loop, waiting for a slot of the hash limiter first.
   *
   * @returns the encoded hash (argon2id PHC string or bcrypt modular-crypt string).
   * @throws {@link BcryptPasswordTooLongError} with bcrypt, for passwords over 72 UTF-8 bytes.
   */
  hash(password: string): Promise<string>;
  /** Whether this hasher can hash `password` (false only for bcrypt and passwords over 72 bytes). */
  canHash(password: string): boolean;
  /**
   * Whether `encoded` was not written by this hasher with its current parameters, so that a
   * successful login should store a fresh hash.
   */
  needsRehash(encoded: string): boolean;
}
