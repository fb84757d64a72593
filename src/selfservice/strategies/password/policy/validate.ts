/**
 * The password policy the registration and settings flows call, in Kratos's order: length,
 * similarity to the identifier, then breaches (the bundled common list, then Have I Been Pwned).
 * The first failing check decides, as in Kratos.
 */
import type { BreachLookup } from './breach-lookup.js';
import { isCommonPassword } from './common-passwords.js';
import { MAX_PASSWORD_LENGTH, type PasswordPolicyConfig } from './config.js';
import { codePointLength } from './length.js';
import {
  commonPasswordMessage,
  identifierTooSimilarMessage,
  maxLengthMessage,
  minLengthMessage,
  tooManyBreachesMessage,
} from './messages.js';
import type { PasswordPolicyResult, PasswordPolicyViolation } from './result.js';
import { isTooSimilar } from './similarity.js';

/** What the policy is asked about. */
export interface PasswordPolicyInput {
  /** A login identifier of the identity (email, username, phone); empty skips the similarity check, as in Kratos. */
  identifier: string;
  /** The candidate password, exactly as submitted: never trimmed or truncated. */
  password: string;
}

/** Where a failed lookup is reported when it is ignored. pino's `Logger` fits. */
export interface PasswordPolicyLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The providers the policy needs. */
export interface PasswordPolicyDeps {
  /** The breach lookup; one per process (see `createHibpClient`) so its cache is shared. */
  breaches: BreachLookup;
  /** Told when a lookup failure is ignored (`ignore_network_errors: true`). */
  logger?: PasswordPolicyLogger;
}

const ACCEPTED: PasswordPolicyResult = Object.freeze({ ok: true });

function refuse(reason: PasswordPolicyViolation): PasswordPolicyResult {
  return { ok: false, kind: 'violation', reason };
}

/**
 * Decides whether `input.password` may be set for an identity with `input.identifier`.
 *
 * Kratos calls its validator once per identifier; a flow with several identifiers does the same
 * here (the breach lookup is cached, so only the first call can reach the network).
 *
 * @param config - resolved with `resolvePasswordPolicyConfig`.
 * @returns a result union; never throws for a refused password or a failed lookup.
 */
export async function validatePassword(
  input: PasswordPolicyInput,
  config: PasswordPolicyConfig,
  deps: PasswordPolicyDeps,
): Promise<PasswordPolicyResult> {
  const length = codePointLength(input.password);
  if (length < config.min_password_length) {
    return refuse({ kind: 'too_short', message: minLengthMessage(config.min_password_length, length) });
  }
  // Before similarity, whose cost grows with the product of the two lengths.
  if (length > MAX_PASSWORD_LENGTH) {
    return refuse({ kind: 'too_long', message: maxLengthMessage(MAX_PASSWORD_LENGTH, length) });
  }
  if (
    config.identifier_similarity_check_enabled &&
    input.identifier.length > 0 &&
    isTooSimilar(input.identifier, input.password)
  ) {
    return refuse({ kind: 'too_similar', message: identifierTooSimilarMessage() });
  }
  if (await isCommonPassword(input.password)) {
    return refuse({ kind: 'common', message: commonPasswordMessage() });
  }
  if (!config.haveibeenpwned_enabled) return ACCEPTED;

  const lookup = await deps.breaches.count(input.password, config.haveibeenpwned_host);
  if (!lookup.ok) {
    if (!config.ignore_network_errors) return { ok: false, kind: 'lookup_failed', error: lookup.error };
    deps.logger?.warn(
      { code: lookup.error.code, status: lookup.error.status, error: lookup.error.message },
      'The password breach lookup failed; the password is accepted because ignore_network_errors is true.',
    );
    return ACCEPTED;
  }
  if (lookup.count > config.max_breaches) {
    return refuse({ kind: 'breached', message: tooManyBreachesMessage(lookup.count) });
  }
  return ACCEPTED;
}

/**
 * {@link validatePassword} against each login identifier in turn, the first refusal deciding, as
 * Kratos's password strategy's validateCredentials loops over the credential's identifiers (so a
 * password too similar to the username is refused even when the email comes first). Callers
 * refuse an empty `identifiers` beforehand (4000009, Kratos's NewMissingIdentifierError).
 */
export async function validatePasswordForIdentifiers(
  identifiers: readonly string[],
  password: string,
  config: PasswordPolicyConfig,
  deps: PasswordPolicyDeps,
): Promise<PasswordPolicyResult> {
  for (const identifier of identifiers) {
    const result = await validatePassword({ identifier, password }, config, deps);
    if (!result.ok) return result;
  }
  return ACCEPTED;
}
