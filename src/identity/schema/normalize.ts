/**
 * Identifier normalisation: the one place that decides when two spellings of an email address,
 * phone number or username are the same login identifier. Credential lookups, uniqueness checks
 * and verifiable/recovery addresses all go through here.
 *
 * Follows Kratos (`x/normalize.go`): every value is first canonicalised (Unicode NFKC, invisible
 * format characters of category Cf removed: zero-width space, soft hyphen, BOM, bidi controls).
 * Phone numbers are then parsed with libphonenumber (region unknown, so only the international
 * `+` form parses) and, when valid, written as E.164, so `+44 (0)20 7946 0958` and
 * `+44 20 7946 0958` are both `+442079460958`. Emails and usernames are trimmed and lower-cased.
 */

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { AddressVia } from '../model.js';

/** How an identifier is normalised. */
export type IdentifierKind = 'email' | 'phone' | 'username';

/** Unicode format characters (Cf): invisible, and a way to make look-alike duplicates. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * Normalises one identifier value.
 *
 * - `email`, `username`: canonicalised, trimmed, lower-cased (Kratos's `NormalizeEmailIdentifier`
 *   leaves a value without `@` untrimmed; such values only come from callers that could not tell
 *   an email from a phone number, where trimming is the kinder reading).
 * - `phone`: E.164 when libphonenumber finds a valid number (Kratos's `NormalizePhoneIdentifier`),
 *   otherwise the canonicalised, trimmed value. Use {@link toE164} to tell the two apart.
 */
export function normalizeIdentifier(value: string, kind: IdentifierKind): string {
  if (kind === 'phone') return toE164(value) ?? canonicalize(value).trim();
  return canonicalize(value).trim().toLowerCase();
}

/**
 * Normalises a value whose kind is unknown, such as what a user typed into a login form's
 * identifier field, and every password and WebAuthn identifier. Kratos's `GracefulNormalization`:
 * a valid phone number becomes E.164, anything else is trimmed and lower-cased.
 */
export function normalizeIdentifierGraceful(value: string): string {
  return toE164(value) ?? canonicalize(value).trim().toLowerCase();
}

/**
 * The E.164 form of a phone number, or undefined when the value is not a valid one. Valid means
 * what libphonenumber's `Parse(value, "")` + `IsValidNumber` accept in Kratos: the international
 * form (leading `+`), a known country code and a number that fits one of that country's number
 * plans. The full (`max`) metadata is needed for that: the `min` metadata has no per-type number
 * patterns, and in a random sample it called about 12% of the numbers valid that `max` refuses.
 */
export function toE164(value: string): string | undefined {
  // Whole-string parsing: Kratos's parser does not find a number inside other text either
  // (letters after a number are read as a vanity number and make it invalid).
  const text = canonicalize(value).trim();
  // With no default region only the international form parses, so a value without a `+` is no
  // number: skipping the parser for it spares every email sign-in about 10 µs.
  if (!text.includes('+')) return undefined;
  const phone = parsePhoneNumberFromString(text, { extract: false });
  return phone?.isValid() === true ? phone.number : undefined;
}

/** Format `tel`: a string libphonenumber parses as a valid international number. */
export function isPhoneNumber(value: string): boolean {
  return toE164(value) !== undefined;
}

/**
 * Picks how a trait value is normalised from its schema: the `format` decides first
 * (`email`, `tel`), then the channel an `ory.sh/kratos` setting sends to (`via`).
 */
export function identifierKindFor(format: string | undefined, vias: readonly AddressVia[]): IdentifierKind {
  if (format === 'email') return 'email';
  if (format === 'tel') return 'phone';
  if (vias.includes('email')) return 'email';
  if (vias.includes('sms')) return 'phone';
  return 'username';
}

/** Kratos's `CanonicalizeIdentifier`: NFKC, then Unicode format characters removed. */
export function canonicalize(value: string): string {
  return value.normalize('NFKC').replace(FORMAT_CHARACTERS, '');
}
