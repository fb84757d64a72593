/**
 * The shape every stored-hash format implements. A scheme first *claims* a string by its prefix
 * (the way Kratos picks a comparator), then *decodes* it in full; a string a scheme claims but
 * cannot decode is garbled, never handed to another scheme.
 */

/** Identifiers of the hash formats we can verify. */
export type HashSchemeId =
  | 'argon2id'
  | 'argon2i'
  | 'bcrypt'
  | 'pbkdf2'
  | 'scrypt'
  | 'firescrypt'
  | 'ssha'
  | 'salted-sha'
  | 'md5'
  | 'hmac'
  | 'md5-crypt'
  | 'sha256-crypt'
  | 'sha512-crypt';

/** A fully parsed stored hash, ready to check candidate passwords against. */
export interface DecodedHash {
  readonly scheme: HashSchemeId;
  /**
   * Whether `matches` runs on the hash pool's workers (argon2, bcrypt), which bound it themselves;
   * the others run on libuv's threadpool (or inline, for the cheap legacy digests) behind the
   * libuv hash limiter.
   */
  readonly runsInHashPool?: true;
  /**
   * Whether `password` (its UTF-8 bytes) produces this hash. Compares in constant time.
   * May reject only on an internal failure (for example the KDF refusing its parameters).
   */
  matches(password: Buffer): Promise<boolean>;
}

/** One stored-hash format. */
export interface HashScheme {
  readonly id: HashSchemeId;
  /** Cheap prefix test: whether this scheme owns `encoded`. */
  claims(encoded: string): boolean;
  /** Parses `encoded`; `undefined` when it is garbled or outside the bounds in `limits.ts`. */
  decode(encoded: string): DecodedHash | undefined;
}
