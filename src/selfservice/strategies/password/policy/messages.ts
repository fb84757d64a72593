/**
 * The UI messages a password policy refusal carries, taken from the one message catalogue
 * (Kratos's ids, texts and context keys), so clients that translate or match on Kratos's ids
 * keep working.
 */
import { Msg, type UiText, uiText } from '../../../flow/index.js';

/** Kratos's message ids for password policy violations. */
export const PasswordMessageId = {
  IdentifierTooSimilar: Msg.ErrorValidationPasswordIdentifierTooSimilar,
  MinLength: Msg.ErrorValidationPasswordMinLength,
  MaxLength: Msg.ErrorValidationPasswordMaxLength,
  TooManyBreaches: Msg.ErrorValidationPasswordTooManyBreaches,
} as const;

/** 4000032: shorter than `min_password_length` (both counted in code points). */
export function minLengthMessage(minLength: number, actualLength: number): UiText {
  return uiText(Msg.ErrorValidationPasswordMinLength, { min_length: minLength, actual_length: actualLength });
}

/** 4000033: longer than the hard maximum. */
export function maxLengthMessage(maxLength: number, actualLength: number): UiText {
  return uiText(Msg.ErrorValidationPasswordMaxLength, { max_length: maxLength, actual_length: actualLength });
}

/** 4000031: too similar to the identifier. */
export function identifierTooSimilarMessage(): UiText {
  return uiText(Msg.ErrorValidationPasswordIdentifierTooSimilar);
}

/** 4000034 with the count the breach lookup reported. */
export function tooManyBreachesMessage(breaches: number): UiText {
  return uiText(Msg.ErrorValidationPasswordTooManyBreaches, { breaches });
}

/**
 * 4000034 for a password on the bundled common-password list. Kratos has no separate id: it
 * refuses these same passwords through the breach lookup with 4000034. The list gives no count,
 * so the context is left out rather than filled with an invented number.
 */
export function commonPasswordMessage(): UiText {
  const { id, text, type } = tooManyBreachesMessage(0);
  return { id, text, type };
}
