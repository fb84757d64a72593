/**
 * `selfservice.methods.password.config`: the keys the password policy reads, with Kratos's
 * names and Kratos's defaults (embedx/config.schema.json).
 */
import { parseHibpBase } from './hibp-url.js';

/** The resolved password policy config. */
export interface PasswordPolicyConfig {
  /** Check the password against Have I Been Pwned (Kratos default: true). */
  haveibeenpwned_enabled: boolean;
  /** HIBP host or base URL (default `api.pwnedpasswords.com`, reached over https). */
  haveibeenpwned_host: string;
  /** A password seen more often than this is refused (default 0: seen once is too often). */
  max_breaches: number;
  /** Accept the password when the lookup fails (default true). */
  ignore_network_errors: boolean;
  /** Minimum length in Unicode code points (default 8, at least 6). */
  min_password_length: number;
  /** Refuse passwords too similar to the identifier (default true). */
  identifier_similarity_check_enabled: boolean;
}

/** The config as it may appear in a config file: every key optional. */
export type PasswordPolicyConfigInput = Partial<PasswordPolicyConfig>;

/** Kratos's defaults, exactly as its config schema states them. */
export const PASSWORD_POLICY_DEFAULTS: Readonly<PasswordPolicyConfig> = Object.freeze({
  haveibeenpwned_enabled: true,
  haveibeenpwned_host: 'api.pwnedpasswords.com',
  max_breaches: 0,
  ignore_network_errors: true,
  min_password_length: 8,
  identifier_similarity_check_enabled: true,
});

/**
 * The hard upper bound on a password, in code points. Not a Kratos config key: it bounds the
 * work one request can cause (similarity is quadratic, hashing linear) and is far above any
 * real password. Passwords are refused above it, never truncated.
 */
export const MAX_PASSWORD_LENGTH = 4096;

/** Thrown by {@link resolvePasswordPolicyConfig} for a value Kratos's schema would reject. */
export class InvalidPasswordPolicyConfigError extends Error {
  /** Full config key at fault. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'InvalidPasswordPolicyConfigError';
    this.key = key;
  }
}

const PREFIX = 'selfservice.methods.password.config';

function integerIn(key: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPasswordPolicyConfigError(
      `${PREFIX}.${key}`,
      `must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * Fills missing keys with Kratos's defaults and checks the ranges of its schema, so a bad value
 * stops the server at start rather than at the first registration.
 *
 * @throws {@link InvalidPasswordPolicyConfigError}
 */
export function resolvePasswordPolicyConfig(input: PasswordPolicyConfigInput = {}): PasswordPolicyConfig {
  const config: PasswordPolicyConfig = { ...PASSWORD_POLICY_DEFAULTS, ...stripUndefined(input) };
  // Schema: max_breaches 0..100; min_password_length >= 6. Our own cap keeps min <= max.
  integerIn('max_breaches', config.max_breaches, 0, 100);
  integerIn('min_password_length', config.min_password_length, 6, MAX_PASSWORD_LENGTH);
  if (parseHibpBase(config.haveibeenpwned_host) === undefined) {
    throw new InvalidPasswordPolicyConfigError(
      `${PREFIX}.haveibeenpwned_host`,
      `must be a host name (optionally with a port) or an http(s) base URL, got "${config.haveibeenpwned_host}"`,
    );
  }
  return config;
}

/** Drops keys explicitly set to undefined, which would otherwise override a default in the spread. */
function stripUndefined(input: PasswordPolicyConfigInput): PasswordPolicyConfigInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
