import { describe, expect, it } from 'vitest';
import { identifierKindFor, normalizeIdentifier, normalizeIdentifierGraceful, toE164 } from './normalize.js';

describe('normalizeIdentifier', () => {
  it('trims and lower-cases a whole email address', () => {
    expect(normalizeIdentifier('  Foo@Example.COM ', 'email')).toBe('foo@example.com');
  });

  it('applies NFKC and removes invisible format characters', () => {
    // Full-width letters, a zero-width space and a soft hyphen.
    expect(normalizeIdentifier('ＦＯＯ\u200B@exam\u00ADple.com', 'email')).toBe('foo@example.com');
    // Composed and decomposed é are the same identifier.
    expect(normalizeIdentifier('Cafe\u0301@x.org', 'email')).toBe(normalizeIdentifier('Café@x.org', 'email'));
  });

  it('lower-cases usernames too, as Kratos does for every password identifier', () => {
    expect(normalizeIdentifier('  Alice_Smith\t', 'username')).toBe('alice_smith');
  });

  it('writes valid phone numbers as E.164 (libphonenumber), dropping a bracketed national prefix', () => {
    expect(normalizeIdentifier('+44 (0)20 7946 0958', 'phone')).toBe('+442079460958');
    expect(normalizeIdentifier('+44 20 7946 0958', 'phone')).toBe('+442079460958');
    expect(normalizeIdentifier(' +1 (201) 555-0123 ', 'phone')).toBe('+12015550123');
    expect(normalizeIdentifier('+49 30.1234/5678', 'phone')).toBe('+493012345678');
    // Full-width digits become ASCII.
    expect(normalizeIdentifier('＋４９ ３０ １２３４５６７', 'phone')).toBe('+49301234567');
  });

  it('keeps a value that is no valid number as typed, trimmed (no country code invented)', () => {
    expect(normalizeIdentifier('030 1234567', 'phone')).toBe('030 1234567');
    expect(normalizeIdentifier(' +1 000 000 0000', 'phone')).toBe('+1 000 000 0000');
  });
});

describe('toE164', () => {
  it('is undefined for invalid numbers, as Kratos NormalizeIdentifier(value, "sms") fails', () => {
    expect(toE164('+1 000 000 0000')).toBeUndefined();
    expect(toE164('0301234567')).toBeUndefined();
    expect(toE164('+442079460958')).toBe('+442079460958');
  });

  it('reads only the international form (no default region): digits without a + are no number', () => {
    for (const value of ['442079460958', '00442079460958', '(44) 20 7946 0958', 'user+tag@example.com'])
      expect(toE164(value), value).toBeUndefined();
    // NFKC first: a full-width plus is a plus.
    expect(toE164('＋44 20 7946 0958')).toBe('+442079460958');
  });
});

describe('normalizeIdentifierGraceful', () => {
  it('writes a valid phone number as E.164 and trims / lower-cases everything else', () => {
    expect(normalizeIdentifierGraceful('+1 201 555 0123')).toBe('+12015550123');
    expect(normalizeIdentifierGraceful('+44 (0)20 7946 0958')).toBe('+442079460958');
    expect(normalizeIdentifierGraceful(' Foo@Example.com')).toBe('foo@example.com');
    expect(normalizeIdentifierGraceful('Some-User')).toBe('some-user');
    // A username with dashes is not a phone number, nor is an invalid international one.
    expect(normalizeIdentifierGraceful('555-1234')).toBe('555-1234');
    expect(normalizeIdentifierGraceful('+1 555 123 4567')).toBe('+1 555 123 4567');
  });
});

describe('identifierKindFor', () => {
  it('lets the format decide first, then the channel', () => {
    expect(identifierKindFor('email', [])).toBe('email');
    expect(identifierKindFor('tel', ['email'])).toBe('phone');
    expect(identifierKindFor(undefined, ['sms'])).toBe('phone');
    expect(identifierKindFor('no-validate', ['email'])).toBe('email');
    expect(identifierKindFor(undefined, [])).toBe('username');
  });
});
