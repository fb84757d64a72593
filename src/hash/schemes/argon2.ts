/**
 * Argon2 PHC strings: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>` (and `$argon2i$`),
 * salt and key in unpadded base64. This is the string our argon2 hasher writes and the one Kratos
 * reads (version 19 only, parameters in this order).
 */
import type { Algorithm, Version } from '@node-rs/argon2';
import { equalBytes } from '../constant-time.js';
import { decodeBase64Raw, encodeBase64Raw } from '../encoding.js';
import { sharedHashPool } from '../hash-pool.js';
import { boundedInteger } from './bounded-integer.js';
import {
  MAX_ARGON2_ITERATIONS,
  MAX_ARGON2_MEMORY_KIB,
  MAX_ARGON2_PARALLELISM,
  MAX_DERIVED_KEY_BYTES,
  MIN_DERIVED_KEY_BYTES,
} from './limits.js';
import type { DecodedHash, HashScheme } from './scheme.js';

/** Argon2 variants we verify. */
export type Argon2Variant = 'argon2id' | 'argon2i';

/** A parsed argon2 PHC string. */
export interface Argon2Hash {
  variant: Argon2Variant;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  key: Buffer;
}

// The binding declares its enums as ambient `const enum`s, which isolated modules cannot read;
// these are their documented numeric values.
const ALGORITHM: Record<Argon2Variant, Algorithm> = { argon2i: 1 as Algorithm, argon2id: 2 as Algorithm };
const VERSION_19 = 1 as Version;

const PHC = /^\$(argon2id|argon2i)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([^$]*)\$([^$]*)$/;

/** The smallest salt the argon2 binding accepts. */
const MIN_SALT_BYTES = 8;

/** Parses an argon2id/argon2i PHC string; `undefined` when garbled or beyond `limits.ts`. */
export function parseArgon2(encoded: string): Argon2Hash | undefined {
  const match = PHC.exec(encoded);
  if (match === null) return undefined;
  const [, variant, m, t, p, saltText, keyText] = match;
  const parallelism = boundedInteger(p!, 1, MAX_ARGON2_PARALLELISM);
  if (parallelism === undefined) return undefined;
  const memoryKiB = boundedInteger(m!, 8 * parallelism, MAX_ARGON2_MEMORY_KIB);
  const iterations = boundedInteger(t!, 1, MAX_ARGON2_ITERATIONS);
  const salt = decodeBase64Raw(saltText!);
  const key = decodeBase64Raw(keyText!);
  if (memoryKiB === undefined || iterations === undefined || salt === undefined || key === undefined) {
    return undefined;
  }
  if (salt.length < MIN_SALT_BYTES || salt.length > MAX_DERIVED_KEY_BYTES) return undefined;
  if (key.length < MIN_DERIVED_KEY_BYTES || key.length > MAX_DERIVED_KEY_BYTES) return undefined;
  return { variant: variant as Argon2Variant, memoryKiB, iterations, parallelism, salt, key };
}

/**
 * Derives the argon2 key of `password` with the parameters and salt of `hash`, on the hash pool's
 * worker threads (which also bound how many run at once).
 */
export function deriveArgon2(
  password: Uint8Array,
  hash: Omit<Argon2Hash, 'key'> & { keyLength: number },
): Promise<Buffer> {
  return sharedHashPool().argon2(password, {
    algorithm: ALGORITHM[hash.variant],
    version: VERSION_19,
    memoryCost: hash.memoryKiB,
    timeCost: hash.iterations,
    parallelism: hash.parallelism,
    outputLen: hash.keyLength,
    salt: hash.salt,
  });
}

/** Writes an argon2 PHC string in the layout {@link parseArgon2} reads. */
export function formatArgon2(hash: Argon2Hash): string {
  return `$${hash.variant}$v=19$m=${hash.memoryKiB},t=${hash.iterations},p=${hash.parallelism}$${encodeBase64Raw(hash.salt)}$${encodeBase64Raw(hash.key)}`;
}

function argon2Scheme(variant: Argon2Variant): HashScheme {
  const prefix = `$${variant}$`;
  return {
    id: variant,
    claims: (encoded) => encoded.startsWith(prefix),
    decode(encoded): DecodedHash | undefined {
      const hash = parseArgon2(encoded);
      if (hash === undefined) return undefined;
      return {
        scheme: variant,
        runsInHashPool: true,
        matches: async (password) =>
          equalBytes(await deriveArgon2(password, { ...hash, keyLength: hash.key.length }), hash.key),
      };
    },
  };
}

/** `$argon2id$v=19$m=..,t=..,p=..$salt$key`. */
export const argon2idScheme: HashScheme = argon2Scheme('argon2id');
/** `$argon2i$v=19$m=..,t=..,p=..$salt$key`. */
export const argon2iScheme: HashScheme = argon2Scheme('argon2i');
