/**
 * The `hashers` config area (Kratos keys) and its validation into the parameters the hashers use.
 */
import { bytesToKiB, parseByteSize } from './byte-size.js';
import { InvalidHasherConfigError } from './errors.js';

/** Algorithms the server hashes new passwords with (`hashers.algorithm`). */
export type HashAlgorithm = 'argon2' | 'bcrypt';

/** `hashers.argon2`, with Kratos's key names so the parsed YAML can be passed through. */
export interface Argon2Config {
  /** Memory cost as a Kratos byte size, for example `"19MB"` or `"19456KB"` (binary units). */
  memory: string;
  iterations: number;
  parallelism: number;
  salt_length: number;
  key_length: number;
}

/** `hashers.bcrypt`. */
export interface BcryptConfig {
  cost: number;
}

/** The complete `hashers` config. */
export interface HasherConfig {
  algorithm: HashAlgorithm;
  argon2: Argon2Config;
  bcrypt: BcryptConfig;
}

/**
 * `hashers` as it may appear in a config file: every key optional. The Kratos keys we do not act
 * on (`expected_duration`, `expected_deviation`, `dedicated_memory` drive Kratos's calibration
 * warnings) are accepted and ignored.
 */
export interface HasherConfigInput {
  algorithm?: HashAlgorithm;
  argon2?: Partial<Argon2Config> & {
    expected_duration?: string;
    expected_deviation?: string;
    dedicated_memory?: string;
  };
  bcrypt?: Partial<BcryptConfig>;
}

/**
 * Our argon2id defaults: OWASP's first recommendation (m=19 MiB, t=2, p=1), 16-byte salt,
 * 32-byte key. Kratos defaults differ (128MB, t=1, p=2*CPUs) and are tuned for a single
 * dedicated box, not for many logins on a shared one.
 */
export const ARGON2_DEFAULTS: Readonly<Argon2Config> = Object.freeze({
  memory: '19MB',
  iterations: 2,
  parallelism: 1,
  salt_length: 16,
  key_length: 32,
});

/** bcrypt default cost, as in Kratos. */
export const BCRYPT_DEFAULTS: Readonly<BcryptConfig> = Object.freeze({ cost: 12 });

/**
 * Our default `hashers` config: argon2id. (Kratos's schema default is bcrypt; we deliberately
 * default to argon2id, which has no 72-byte limit and is memory-hard.)
 */
export const DEFAULT_HASHER_CONFIG: Readonly<HasherConfig> = Object.freeze({
  algorithm: 'argon2',
  argon2: ARGON2_DEFAULTS,
  bcrypt: BCRYPT_DEFAULTS,
});

/** Fills the keys missing from `input` with our defaults. Validation happens in {@link argon2Params} and {@link bcryptCost}. */
export function resolveHasherConfig(input: HasherConfigInput = {}): HasherConfig {
  const argon2 = input.argon2 ?? {};
  return {
    algorithm: input.algorithm ?? DEFAULT_HASHER_CONFIG.algorithm,
    argon2: {
      memory: argon2.memory ?? ARGON2_DEFAULTS.memory,
      iterations: argon2.iterations ?? ARGON2_DEFAULTS.iterations,
      parallelism: argon2.parallelism ?? ARGON2_DEFAULTS.parallelism,
      salt_length: argon2.salt_length ?? ARGON2_DEFAULTS.salt_length,
      key_length: argon2.key_length ?? ARGON2_DEFAULTS.key_length,
    },
    bcrypt: { cost: input.bcrypt?.cost ?? BCRYPT_DEFAULTS.cost },
  };
}

/** Validated argon2id parameters, memory already in KiB as it appears in the PHC string. */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  saltLength: number;
  keyLength: number;
}

const UINT32_MAX = 2 ** 32 - 1;

function integerIn(key: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidHasherConfigError(key, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * Validates `hashers.argon2` into {@link Argon2Params}.
 *
 * @throws {@link InvalidHasherConfigError} when a value is out of range. Minimums follow the Kratos
 *   schema (salt and key at least 16 bytes); parallelism is capped at 255 by the argon2 binding.
 */
export function argon2Params(config: Argon2Config): Argon2Params {
  const bytes = parseByteSize(config.memory);
  if (bytes === undefined) {
    throw new InvalidHasherConfigError('hashers.argon2.memory', `not a byte size: "${config.memory}"`);
  }
  const parallelism = integerIn('hashers.argon2.parallelism', config.parallelism, 1, 255);
  const memoryKiB = bytesToKiB(bytes);
  // Argon2 needs at least 8 KiB per lane.
  integerIn('hashers.argon2.memory (KiB)', memoryKiB, 8 * parallelism, UINT32_MAX);
  return {
    memoryKiB,
    iterations: integerIn('hashers.argon2.iterations', config.iterations, 1, UINT32_MAX),
    parallelism,
    saltLength: integerIn('hashers.argon2.salt_length', config.salt_length, 16, 1024),
    keyLength: integerIn('hashers.argon2.key_length', config.key_length, 16, 1024),
  };
}

/**
 * Validates `hashers.bcrypt.cost` (4 to 31, the Kratos schema range; Kratos additionally demands 12
 * outside `--dev`, which is the config area's policy, not ours).
 */
export function bcryptCost(config: BcryptConfig): number {
  return integerIn('hashers.bcrypt.cost', config.cost, 4, 31);
}
