import { describe, expect, it } from 'vitest';
import { isEmail, isHostname, isPhoneNumber } from './formats.js';

describe('isEmail', () => {
  it.each([
    'foo@example.com',
    'Foo.Bar+tag@Example.COM',
    'admin@localhost',
    '"john doe"@example.com',
    'jörg@example.de',
    '  foo@example.com ',
  ])('accepts %j', (value) => {
    expect(isEmail(value)).toBe(true);
  });

  it.each([
    'not-an-email',
    '@example.com',
    'foo@',
    'foo@-example.com',
    'foo@exa mple.com',
    'foo..bar@example.com',
    'foo@bär.de',
    `${'a'.repeat(65)}@example.com`,
    `foo@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('rejects %j', (value) => {
    expect(isEmail(value)).toBe(false);
  });
});

describe('isHostname', () => {
  it('accepts labels of letters, digits and inner hyphens, and a trailing dot', () => {
    expect(isHostname('a-b.example.com.')).toBe(true);
    expect(isHostname('a_b.example.com')).toBe(false);
    expect(isHostname('')).toBe(false);
  });
});

describe('isPhoneNumber (format tel)', () => {
  it('requires the international form, like Kratos', () => {
    expect(isPhoneNumber('+49 30 1234567')).toBe(true);
    expect(isPhoneNumber('030 1234567')).toBe(false);
  });
});
