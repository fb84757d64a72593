import { describe, expect, it } from 'vitest';
import {
  identifierKindFor,
  looksLikeInternationalPhone,
  normalizeIdentifier,
  normalizeIdentifierGraceful,
} from './normalize.js';

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

  it('strips phone separators and keeps the leading +', () => {
    expect(normalizeIdentifier(' +1 (555) 123-4567 ', 'phone')).toBe('+15551234567');
    expect(normalizeIdentifier('+49 30.1234/5678', 'phone')).toBe('+493012345678');
    // Full-width digits become ASCII.
    expect(normalizeIdentifier('＋４９ ３０ １２３４５６７', 'phone')).toBe('+49301234567');
  });

  it('does not invent a country code for national numbers', () => {
    expect(normalizeIdentifier('030 1234567', 'phone')).toBe('0301234567');
  });
});

describe('normalizeIdentifierGraceful', () => {
  it('treats +digits as a phone number and everything else like an email / username', () => {
    expect(normalizeIdentifierGraceful('+1 555 123 4567')).toBe('+15551234567');
    expect(normalizeIdentifierGraceful(' Foo@Example.com')).toBe('foo@example.com');
    expect(normalizeIdentifierGraceful('Some-User')).toBe('some-user');
    // A username with dashes is not a phone number.
    expect(normalizeIdentifierGraceful('555-1234')).toBe('555-1234');
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

describe('looksLikeInternationalPhone', () => {
  it.each([
    ['+15551234567', true],
    ['+1 (555) 123-4567', true],
    ['+4930123', true],
    ['+123456', false],
    ['+1234567890123456', false],
    ['5551234567', false],
    ['+1555abc4567', false],
    ['', false],
  ])('%j -> %s', (value, expected) => {
    expect(looksLikeInternationalPhone(value)).toBe(expected);
  });
});
