/**
 * The one object the identity manager and the password strategy use: hash new passwords, verify
 * stored ones in any supported format, and say when a stored hash should be replaced.
 */
import { randomBytes } from 'node:crypto';
import { type HasherConfigInput, resolveHasherConfig } from './config.js';
import { createHasher } from './create-hasher.js';
import { HashPoolError } from './hash-pool.js';
import type { Hasher } from './hasher.js';
import { decodeHash } from './schemes/registry.js';
import { type Semaphore, sharedHashLimiter } from './semaphore.js';

/** Options of {@link createPasswordHashing}. */
export interface HashingOptions {
  /**
   * Bounds concurrent verifications of imported formats (pbkdf2, scrypt, ...) on libuv's
   * threadpool; defaults to the process-wide {@link sharedHashLimiter}. argon2 and bcrypt run on
   * the hash pool, which bounds them itself.
   */
  limiter?: Semaphore;
}

/** Outcome of a password check. */
export interface VerifyResult {
  /** Whether the password matches the stored hash. */
  ok: boolean;
  /**
   * Whether the caller should store `hash(password)` in place of the stored hash: true only when
   * `ok`, the stored hash is not in the configured algorithm and parameters, and the configured
   * hasher can hash this password.
   */
  needsRehash: boolean;
}

/** Password hashing with the configured hasher plus verification of every supported format. */
export interface PasswordHashing {
  /** The configured hasher's algorithm. */
  readonly algorithm: Hasher['algorithm'];
  /**
   * Hashes a new password with the configured hasher, off the event loop and bounded.
   *
   * @throws {@link BcryptPasswordTooLongError} with bcrypt, for passwords over 72 UTF-8 bytes.
   */
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against a stored hash in any supported format. Unknown, garbled or
   * unverifiable hashes give `{ ok: false, needsRehash: false }`; it throws only
   * {@link HashPoolError}, when hashing itself is out of service.
   */
  verify(password: string, encoded: string): Promise<VerifyResult>;
  /** Whether `encoded` is a well-formed hash in a supported format (for validating imports). */
  isSupportedHash(encoded: string): boolean;
  /**
   * Spends what a real {@link PasswordHashing.verify} against a configured-hasher hash spends, and
   * fails. Use it when the identifier is unknown so response times do not reveal which accounts
   * exist. The dummy hash is computed on first use; call this once at startup to keep that first
   * computation out of a login.
   */
  verifyDummy(password: string): Promise<VerifyResult>;
}

/** A fresh failure each time, so one caller mutating its result cannot affect another. */
function failed(): VerifyResult {
  return { ok: false, needsRehash: false };
}

/**
 * Creates the password hashing service from the `hashers` config (missing keys take our
 * defaults: argon2id, m=19 MiB, t=2, p=1).
 *
 * @throws {@link InvalidHasherConfigError} when the config cannot produce a working hasher.
 */
export function createPasswordHashing(
  config: HasherConfigInput = {},
  options: HashingOptions = {},
): PasswordHashing {
  const limiter = options.limiter ?? sharedHashLimiter();
  const hasher = createHasher(resolveHasherConfig(config));
  let dummyHash: Promise<string> | undefined;

  function dummy(): Promise<string> {
    if (dummyHash === undefined) {
      // A random password nobody knows, so the dummy verification can never succeed.
      dummyHash = hasher.hash(randomBytes(32).toString('base64url'));
      dummyHash.catch(() => {
        dummyHash = undefined;
      });
    }
    return dummyHash;
  }

  async function verify(password: string, encoded: string): Promise<VerifyResult> {
    const decoded = decodeHash(encoded);
    if (decoded === undefined || typeof password !== 'string') return failed();
    const bytes = Buffer.from(password, 'utf8');
    let ok: boolean;
    try {
      ok = await (decoded.runsInHashPool
        ? decoded.matches(bytes)
        : limiter.run(() => decoded.matches(bytes)));
    } catch (error) {
      // A pool that cannot hash (closed, or its workers cannot start) is a server fault: saying
      // "wrong password" would hide it behind every login failing.
      if (error instanceof HashPoolError) throw error;
      // A KDF refusing parameters that passed our bounds is a broken hash, not a server error.
      return failed();
    }
    return ok ? { ok, needsRehash: hasher.needsRehash(encoded) && hasher.canHash(password) } : failed();
  }

  return {
    algorithm: hasher.algorithm,
    hash: (password) => hasher.hash(password),
    verify,
    isSupportedHash: (encoded) => decodeHash(encoded) !== undefined,
    async verifyDummy(password) {
      await verify(password, await dummy());
      return failed();
    },
  };
}
