import type { HashersConfig, KratosConfigDocument } from '../types.js';

/**
 * argon2id parameters for new hashes when the config leaves them unset: OWASP's recommendation
 * (m=19456 KiB, t=2, p=1). Kratos's defaults (128MB, t=1, p=2*CPUs) would cap a Node process
 * at a few logins per second per core.
 */
export const ARGON2_DEFAULTS = {
  memory: '19MB',
  iterations: 2,
  parallelism: 1,
  saltLength: 16,
  keyLength: 32,
} as const;

/** Kratos's bcrypt default, and the floor it enforces outside `--dev`. */
export const BCRYPT_DEFAULT_COST = 12;

/** Password hashing settings, with Kratos's rule that bcrypt cost is at least 12 outside dev. */
export function hashersConfig(document: KratosConfigDocument, dev: boolean): HashersConfig {
  const hashers = document.hashers;
  const argon2 = hashers?.argon2;
  const cost = hashers?.bcrypt?.cost ?? BCRYPT_DEFAULT_COST;
  return {
    algorithm: hashers?.algorithm ?? 'argon2',
    argon2: {
      memory: argon2?.memory ?? ARGON2_DEFAULTS.memory,
      iterations: argon2?.iterations ?? ARGON2_DEFAULTS.iterations,
      parallelism: argon2?.parallelism ?? ARGON2_DEFAULTS.parallelism,
      saltLength: argon2?.salt_length ?? ARGON2_DEFAULTS.saltLength,
      keyLength: argon2?.key_length ?? ARGON2_DEFAULTS.keyLength,
    },
    bcrypt: { cost: dev ? cost : Math.max(cost, BCRYPT_DEFAULT_COST) },
  };
}

/** Settings that Portcullis changes or that weaken hashing, worth a line in the log. */
export function hasherWarnings(document: KratosConfigDocument, dev: boolean): string[] {
  const cost = document.hashers?.bcrypt?.cost;
  if (dev || cost === undefined || cost >= BCRYPT_DEFAULT_COST) return [];
  return [
    `hashers.bcrypt.cost ${cost} is below ${BCRYPT_DEFAULT_COST}; using ${BCRYPT_DEFAULT_COST} outside --dev, as Kratos does`,
  ];
}
