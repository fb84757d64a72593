/**
 * Password hashing: argon2id (default) or bcrypt for new passwords, verification of every hash
 * format Kratos accepts on import, and re-hash hints for the login strategy.
 */

export { parseByteSize } from './byte-size.js';
export {
  ARGON2_DEFAULTS,
  type Argon2Config,
  BCRYPT_DEFAULTS,
  type BcryptConfig,
  DEFAULT_HASHER_CONFIG,
  type HashAlgorithm,
  type HasherConfig,
  type HasherConfigInput,
  resolveHasherConfig,
} from './config.js';
export { createHasher } from './create-hasher.js';
export {
  BCRYPT_MAX_PASSWORD_BYTES,
  BcryptPasswordTooLongError,
  HashError,
  type HashErrorCode,
  InvalidHasherConfigError,
} from './errors.js';
export { defaultHashWorkers, HashPool, HashPoolError, sharedHashPool } from './hash-pool.js';
export type { Hasher } from './hasher.js';
export {
  createPasswordHashing,
  type HashingOptions,
  type PasswordHashing,
  type VerifyResult,
} from './password-hashing.js';
export type { HashSchemeId } from './schemes/scheme.js';
export { defaultHashConcurrency, Semaphore, sharedHashLimiter } from './semaphore.js';
