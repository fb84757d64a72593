/** Validation messages (4000xxx), as in Kratos's `text/message_validation.go`. */

import { goFloat, goQuote, goValue } from '../go-format.js';
import { custom, fixed, templated } from './define.js';
import { Msg } from './ids.js';

/** Input of 4000028: what the existing account can sign in with. */
export interface DuplicateCredentialsHintsContext {
  available_credential_types: readonly string[];
  available_oidc_providers: readonly string[];
  /** The identifier that is taken; empty when unknown. */
  credential_identifier_hint: string;
}

type Bound = 'minimum' | 'maximum';

/** 4000018-4000021: a number outside a JSON-schema bound, printed with Go's `%v`. */
const bound = <K extends Bound>(key: K, operator: string) =>
  custom<Record<K, number> & { actual: number }>(
    'error',
    `must be ${operator} {${key}} but found {actual}`,
    ['actual', key],
    (input) => ({
      text: `must be ${operator} ${goFloat(input[key])} but found ${goFloat(input.actual)}`,
      context: { actual: input.actual, [key]: input[key] },
    }),
  );

const HUMAN_CREDENTIALS: Record<string, string> = {
  password: 'your password',
  oidc: 'social sign in',
  webauthn: 'your passkey or a security key',
  passkey: 'your passkey',
};

/** A port of Kratos's NewErrorValidationDuplicateCredentialsWithHints. */
function duplicateWithHints(input: DuplicateCredentialsHintsContext): string {
  const identifier = input.credential_identifier_hint || 'an email, phone, or username';
  let reason = `You tried signing in with ${identifier} which is already in use by another account.`;
  if (input.available_credential_types.length > 0) {
    let human = input.available_credential_types.flatMap((type) => HUMAN_CREDENTIALS[type] ?? []);
    // Kratos shows the raw type names rather than nothing when none is known.
    if (human.length === 0) human = [...input.available_credential_types];
    if (human.length > 1) human[human.length - 1] = `or ${human[human.length - 1]}`;
    reason += ` You can sign in using ${human.join(', ')}.`;
  }
  if (input.available_oidc_providers.length > 0) {
    const providers = input.available_oidc_providers.map(titleCase).join(', ');
    reason += ` You can sign in using one of the following social sign in providers: ${providers}.`;
  }
  return reason;
}

/** Approximates golang.org/x/text/cases.Title(language.English): first letter of each word up, rest down. */
function titleCase(value: string): string {
  return value.toLowerCase().replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, before: string, letter: string) => {
    return before + letter.toUpperCase();
  });
}

export const validationMessages = {
  [Msg.ErrorValidationGeneric]: templated('error', '{reason}', ['reason']),
  [Msg.ErrorValidationRequired]: templated('error', 'Property {property} is missing.', ['property']),
  [Msg.ErrorValidationMinLength]: templated(
    'error',
    'length must be >= {min_length}, but got {actual_length}',
    ['min_length', 'actual_length'],
  ),
  [Msg.ErrorValidationInvalidFormat]: custom<{ pattern: string }>(
    'error',
    'does not match pattern "{pattern}"',
    ['pattern'],
    (input) => ({
      text: `does not match pattern ${goQuote(input.pattern)}`,
      context: { pattern: input.pattern },
    }),
  ),
  [Msg.ErrorValidationPasswordPolicyViolationGeneric]: templated(
    'error',
    'The password can not be used because {reason}.',
    ['reason'],
  ),
  [Msg.ErrorValidationInvalidCredentials]: fixed(
    'error',
    'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
  ),
  [Msg.ErrorValidationDuplicateCredentials]: fixed(
    'error',
    'An account with the same identifier (email, phone, username, ...) exists already.',
  ),
  [Msg.ErrorValidationTOTPVerifierWrong]: fixed(
    'error',
    'The provided authentication code is invalid, please try again.',
  ),
  [Msg.ErrorValidationIdentifierMissing]: fixed(
    'error',
    'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.',
  ),
  [Msg.ErrorValidationAddressNotVerified]: fixed(
    'error',
    'Account not active yet. Did you forget to verify your email address?',
  ),
  [Msg.ErrorValidationNoTOTPDevice]: fixed('error', 'You have no TOTP device set up.'),
  [Msg.ErrorValidationLookupAlreadyUsed]: fixed('error', 'This backup recovery code has already been used.'),
  [Msg.ErrorValidationNoWebAuthnDevice]: fixed('error', 'You have no WebAuthn device set up.'),
  [Msg.ErrorValidationNoLookup]: fixed('error', 'You have no backup recovery codes set up.'),
  [Msg.ErrorValidationSuchNoWebAuthnUser]: fixed(
    'error',
    'This account does not exist or has no security key set up.',
  ),
  [Msg.ErrorValidationLookupInvalid]: fixed('error', 'The backup recovery code is not valid.'),
  [Msg.ErrorValidationMaxLength]: templated(
    'error',
    'length must be <= {max_length}, but got {actual_length}',
    ['max_length', 'actual_length'],
  ),
  [Msg.ErrorValidationMinimum]: bound('minimum', '>='),
  [Msg.ErrorValidationExclusiveMinimum]: bound('minimum', '>'),
  [Msg.ErrorValidationMaximum]: bound('maximum', '<='),
  [Msg.ErrorValidationExclusiveMaximum]: bound('maximum', '<'),
  [Msg.ErrorValidationMultipleOf]: custom<{ base: number; actual: number }>(
    'error',
    '{actual} not multipleOf {base}',
    ['actual', 'base'],
    (input) => ({
      text: `${goFloat(input.actual)} not multipleOf ${goFloat(input.base)}`,
      context: { actual: input.actual, base: input.base },
    }),
  ),
  [Msg.ErrorValidationMaxItems]: templated(
    'error',
    'maximum {max_items} items allowed, but found {actual_items} items',
    ['max_items', 'actual_items'],
  ),
  [Msg.ErrorValidationMinItems]: templated(
    'error',
    'minimum {min_items} items allowed, but found {actual_items} items',
    ['min_items', 'actual_items'],
  ),
  [Msg.ErrorValidationUniqueItems]: templated('error', 'items at index {index_a} and {index_b} are equal', [
    'index_a',
    'index_b',
  ]),
  [Msg.ErrorValidationWrongType]: custom<{ allowed_types: readonly string[]; actual_type: string }>(
    'error',
    'expected {allowed_types_list}, but got {actual_type}',
    ['actual_type', 'allowed_types'],
    (input) => ({
      text: `expected ${input.allowed_types.join(' or ')}, but got ${input.actual_type}`,
      context: { actual_type: input.actual_type, allowed_types: input.allowed_types },
    }),
  ),
  [Msg.ErrorValidationDuplicateCredentialsOnOIDCLink]: fixed(
    'error',
    'An account with the same identifier (email, phone, username, ...) exists already. Please sign in to your existing account to link your social profile.',
  ),
  [Msg.ErrorValidationDuplicateCredentialsWithHints]: custom<DuplicateCredentialsHintsContext>(
    'error',
    'You tried signing in with {credential_identifier_hint} which is already in use by another account. You can sign in using {available_credential_types_list}. You can sign in using one of the following social sign in providers: {available_oidc_providers_list}.',
    ['available_credential_types', 'available_oidc_providers', 'credential_identifier_hint'],
    (input) => ({
      text: duplicateWithHints(input),
      context: {
        available_credential_types: input.available_credential_types,
        available_oidc_providers: input.available_oidc_providers,
        credential_identifier_hint: input.credential_identifier_hint,
      },
    }),
  ),
  [Msg.ErrorValidationConst]: custom<{ expected: unknown }>(
    'error',
    'must be equal to constant {expected}',
    ['expected'],
    (input) => ({
      text: `must be equal to constant ${goValue(input.expected)}`,
      context: { expected: input.expected },
    }),
  ),
  [Msg.ErrorValidationConstGeneric]: fixed('error', 'const failed'),
  [Msg.ErrorValidationPasswordIdentifierTooSimilar]: fixed(
    'error',
    'The password can not be used because it is too similar to the identifier.',
  ),
  [Msg.ErrorValidationPasswordMinLength]: templated(
    'error',
    'The password must be at least {min_length} characters long, but got {actual_length}.',
    ['min_length', 'actual_length'],
  ),
  [Msg.ErrorValidationPasswordMaxLength]: templated(
    'error',
    'The password must be at most {max_length} characters long, but got {actual_length}.',
    ['max_length', 'actual_length'],
  ),
  [Msg.ErrorValidationPasswordTooManyBreaches]: custom<{ breaches: number }>(
    'error',
    'The password has been found in data breaches and must no longer be used.',
    ['breaches'],
    (input) => ({
      text: 'The password has been found in data breaches and must no longer be used.',
      context: { breaches: input.breaches },
    }),
  ),
  [Msg.ErrorValidationNoCodeUser]: fixed(
    'error',
    'This account does not exist or has not setup sign in with code.',
  ),
  [Msg.ErrorValidationTraitsMismatch]: fixed(
    'error',
    'The provided traits do not match the traits previously associated with this flow.',
  ),
  [Msg.ErrorValidationAccountNotFound]: fixed(
    'error',
    'This account does not exist or has no login method configured.',
  ),
  [Msg.ErrorValidationCaptchaError]: fixed('error', 'Captcha verification failed, please try again.'),
  [Msg.ErrorValidationPasswordNewSameAsOld]: fixed(
    'error',
    'The new password must be different from the old password.',
  ),
  [Msg.ErrorValidationEmail]: templated('error', '{value} is not a valid email address', ['value']),
  [Msg.ErrorValidationPhone]: templated('error', '{value} is not a valid phone number', ['value']),
};
