/**
 * Upper bounds on the work one verification may cost. Stored hashes come from imports; a typo
 * such as `i=1000000000` must not pin a threadpool thread for minutes on every login attempt, so
 * a hash beyond these bounds counts as garbled. All are generous next to real-world parameters.
 */

/** argon2 memory, in KiB (4 GiB). */
export const MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024;
/** argon2 passes. */
export const MAX_ARGON2_ITERATIONS = 1000;
/** argon2 lanes (the binding's own maximum). */
export const MAX_ARGON2_PARALLELISM = 255;
/** PBKDF2 iterations. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** scrypt memory, 128 * N * r bytes (1 GiB). */
export const MAX_SCRYPT_MEMORY_BYTES = 1024 ** 3;
/** scrypt parallelism. */
export const MAX_SCRYPT_PARALLELISM = 16;
/** sha-crypt rounds (the format allows up to 999,999,999; common values are 5,000 to 656,000). */
export const MAX_SHA_CRYPT_ROUNDS = 5_000_000;

/**
 * Shortest derived key or salt length we accept from a KDF hash. Go's constant-time compare
 * treats two empty keys as equal, so a `$pbkdf2-...$$` with an empty key would accept any
 * password; a lower bound closes that.
 */
export const MIN_DERIVED_KEY_BYTES = 8;
/** Longest derived key we accept. */
export const MAX_DERIVED_KEY_BYTES = 1024;
