/**
 * The UI messages a password policy refusal carries: Kratos's ids, English texts and context
 * keys (ory/kratos `text/id.go`, `text/message_validation.go`), so clients that translate or
 * match on Kratos's ids keep working.
 */

/** A Kratos `uiText` of type `error` with a context object. */
export interface UiErrorText<Id extends number, Context extends Record<string, number>> {
  readonly id: Id;
  readonly text: string;
  readonly type: 'error';
  readonly context: Context;
}

/** A Kratos `uiText` of type `error` without context (Kratos omits the key). */
export interface UiErrorTextWithoutContext<Id extends number> {
  readonly id: Id;
  readonly text: string;
  readonly type: 'error';
}

/** Kratos's message ids for password policy violations. */
export const PasswordMessageId = {
  /** `ErrorValidationPasswordIdentifierTooSimilar` */
  IdentifierTooSimilar: 4000031,
  /** `ErrorValidationPasswordMinLength` */
  MinLength: 4000032,
  /** `ErrorValidationPasswordMaxLength` */
  MaxLength: 4000033,
  /** `ErrorValidationPasswordTooManyBreaches` */
  TooManyBreaches: 4000034,
} as const;

/** Text of 4000034; shared by the breach lookup and the bundled common-password list. */
const TOO_MANY_BREACHES_TEXT = 'The password has been found in data breaches and must no longer be used.';

/** 4000032: shorter than `min_password_length` (both counted in code points). */
export function minLengthMessage(
  minLength: number,
  actualLength: number,
): UiErrorText<4000032, { min_length: number; actual_length: number }> {
  return {
    id: PasswordMessageId.MinLength,
    text: `The password must be at least ${minLength} characters long, but got ${actualLength}.`,
    type: 'error',
    context: { min_length: minLength, actual_length: actualLength },
  };
}

/** 4000033: longer than the hard maximum. */
export function maxLengthMessage(
  maxLength: number,
  actualLength: number,
): UiErrorText<4000033, { max_length: number; actual_length: number }> {
  return {
    id: PasswordMessageId.MaxLength,
    text: `The password must be at most ${maxLength} characters long, but got ${actualLength}.`,
    type: 'error',
    context: { max_length: maxLength, actual_length: actualLength },
  };
}

/** 4000031: too similar to the identifier. */
export function identifierTooSimilarMessage(): UiErrorTextWithoutContext<4000031> {
  return {
    id: PasswordMessageId.IdentifierTooSimilar,
    text: 'The password can not be used because it is too similar to the identifier.',
    type: 'error',
  };
}

/** 4000034 with the count the breach lookup reported. */
export function tooManyBreachesMessage(breaches: number): UiErrorText<4000034, { breaches: number }> {
  return {
    id: PasswordMessageId.TooManyBreaches,
    text: TOO_MANY_BREACHES_TEXT,
    type: 'error',
    context: { breaches },
  };
}

/**
 * 4000034 for a password on the bundled common-password list. Kratos has no separate id: it
 * refuses these same passwords through the breach lookup with 4000034. The list gives no count,
 * so there is no `breaches` context rather than an invented number.
 */
export function commonPasswordMessage(): UiErrorTextWithoutContext<4000034> {
  return { id: PasswordMessageId.TooManyBreaches, text: TOO_MANY_BREACHES_TEXT, type: 'error' };
}
