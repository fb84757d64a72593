/**
 * Typed errors of the hash module. Callers branch on `code`, never on the message text.
 */

/** Stable codes carried by {@link HashError}. */
export type HashErrorCode = 'password_too_long_for_bcrypt' | 'invalid_hasher_config';

/** Base class of every error this module throws on purpose. */
export class HashError extends Error {
  /** Stable, machine-readable code. */
  readonly code: HashErrorCode;

  constructor(code: HashErrorCode, message: string) {
    super(message);
    this.name = 'HashError';
    this.code = code;
  }
}

/**
 * Thrown by the bcrypt hasher for passwords longer than {@link BCRYPT_MAX_PASSWORD_BYTES} UTF-8 bytes.
 * bcrypt only reads the first 72 bytes; hashing the rest away silently would let a prefix of the
 * password log in, so we refuse instead (as Kratos does).
 */
export class BcryptPasswordTooLongError extends HashError {
  /** Length of the rejected password in UTF-8 bytes. */
  readonly byteLength: number;

  constructor(byteLength: number) {
    super(
      'password_too_long_for_bcrypt',
      `passwords are limited to a maximum length of 72 bytes with bcrypt, got ${byteLength}`,
    );
    this.name = 'BcryptPasswordTooLongError';
    this.byteLength = byteLength;
  }
}

/** Thrown when the `hashers` configuration cannot produce a working hasher. */
export class InvalidHasherConfigError extends HashError {
  /** Config key at fault, for example `hashers.argon2.memory`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super('invalid_hasher_config', `${key}: ${message}`);
    this.name = 'InvalidHasherConfigError';
    this.key = key;
  }
}

/** The most bytes of a password bcrypt reads. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;
