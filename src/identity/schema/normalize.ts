/**
 * Identifier normalisation: the one place that decides when two spellings of an email address,
 * phone number or username are the same login identifier. Credential lookups, uniqueness checks
 * and verifiable/recovery addresses all go through here.
 *
 * Follows Kratos (`x/normalize.go`): Unicode NFKC, invisible format characters (category Cf:
 * zero-width space, soft hyphen, BOM, bidi controls) removed, surrounding whitespace trimmed, and
 * lower-cased, for emails as a whole address and for usernames too, because Kratos lower-cases
 * every password identifier. Phone numbers are the exception: Kratos formats them as E.164
 * with libphonenumber; without that library we only strip the visual separators, so
 * `+1 (555) 123-4567` and `+15551234567` match, but a national number is not given a country code.
 */

import type { AddressVia } from '../model.js';

/** How an identifier is normalised. */
export type IdentifierKind = 'email' | 'phone' | 'username';

/** Unicode format characters (Cf): invisible, and a way to make look-alike duplicates. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
/** Separators people type inside phone numbers. */
const PHONE_SEPARATORS = /[\s\-‐-―−()./]/gu;
/** What is left of a phone number once separators are gone: E.164-ish, lenient on length. */
const PHONE_SHAPE = /^\+?\d+$/;

/**
 * Normalises one identifier value.
 *
 * - `email`, `username`: NFKC, format characters removed, trimmed, lower-cased.
 * - `phone`: NFKC (full-width digits become ASCII), format characters removed, trimmed,
 *   spaces, dashes, dots, slashes and parentheses removed; a leading `+` is kept.
 */
export function normalizeIdentifier(value: string, kind: IdentifierKind): string {
  const canonical = canonicalize(value);
  if (kind === 'phone') return canonical.replace(PHONE_SEPARATORS, '');
  return canonical.toLowerCase();
}

/**
 * Normalises a value whose kind is unknown, such as what a user typed into a login form's
 * identifier field. Like Kratos's `GracefulNormalization`: an international phone number
 * (leading `+`) is normalised as a phone number, anything else as email / username (which
 * normalise the same way).
 */
export function normalizeIdentifierGraceful(value: string): string {
  return normalizeIdentifier(value, looksLikeInternationalPhone(value) ? 'phone' : 'username');
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

/**
 * True when a value is shaped like an international phone number: a `+` followed by
 * 7 to 15 digits once separators are removed. This is the `tel` format's check too.
 */
export function looksLikeInternationalPhone(value: string): boolean {
  const compact = canonicalize(value).replace(PHONE_SEPARATORS, '');
  return compact.startsWith('+') && PHONE_SHAPE.test(compact) && compact.length >= 8 && compact.length <= 16;
}

function canonicalize(value: string): string {
  return value.normalize('NFKC').replace(FORMAT_CHARACTERS, '').trim();
}
