import { describe, expect, it } from 'vitest';
import { codePoints, isTooSimilar, levenshteinDistance, longestCommonSubstring } from './similarity.js';

const lcs = (a: string, b: string) => longestCommonSubstring(codePoints(a), codePoints(b));
const distance = (a: string, b: string) => levenshteinDistance(codePoints(a), codePoints(b));

describe('longestCommonSubstring', () => {
  // Kratos's TestLCSLength (selfservice/strategy/password/validator_lcs_test.go), both argument orders.
  it.each([
    ['foo', 'foo', 3],
    ['fo', 'foo', 2],
    ['bar', 'foo', 0],
    ['foobar', 'foo', 3],
    ['foobar', 'oo', 2],
    ['foobar', 'a', 1],
  ])('lcs(%s, %s) = %i', (a, b, expected) => {
    expect(lcs(a, b)).toBe(expected);
    expect(lcs(b, a)).toBe(expected);
  });

  it('handles empty input', () => {
    expect(lcs('', 'abc')).toBe(0);
    expect(lcs('abc', '')).toBe(0);
  });

  it('works on code points, so an astral character is one unit', () => {
    expect(lcs('a😀b', 'x😀by')).toBe(2);
  });
});

describe('levenshteinDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
  ])('distance(%s, %s) = %i', (a, b, expected) => {
    expect(distance(a, b)).toBe(expected);
    expect(distance(b, a)).toBe(expected);
  });
});

describe('isTooSimilar', () => {
  // Kratos's TestDefaultPasswordValidationStrategy cases with an identifier (validator_test.go).
  it.each([
    ['l3f9toh1uaf81n21', 'l3f9toh1uaf81n21'],
    ['hello@example.com', 'hello@example.com12345'],
    ['hello@example.com', '123hello@example.com123'],
    ['hello@example.com', 'hello@exam'],
    ['hello@example.com', 'HELLO@EXAMPLE.COM'],
    ['hello@example.com', 'HELLO@example.com'],
    ['hello@exam', 'hello@example.com'],
    ['hello@example.com', 'h3ll0@example'],
    ['bosqwfaxee', 'bosqwfaxee'],
  ])('refuses identifier %s with password %s (Kratos)', (identifier, password) => {
    expect(isTooSimilar(identifier, password)).toBe(true);
  });

  it.each([
    ['abcd', '9d3c8a1b'],
    ['a', 'kjOklafe'],
    ['ab', '0000ab0000123'],
    ['d4f6090b-5a84', 'd4f6090b-5a84-2184-4404-8d1b-8da3eb00ebbe'],
    ['asdflasdflasdf', 'asdflasdflpiuhefnciluaksdzuföfhg'],
  ])('accepts identifier %s with password %s (Kratos)', (identifier, password) => {
    expect(isTooSimilar(identifier, password)).toBe(false);
  });

  it('refuses the identifier itself and an upper-case variant with one more character', () => {
    expect(isTooSimilar('ada@example.com', 'ada@example.com')).toBe(true);
    expect(isTooSimilar('ada@example.com', 'ADA@EXAMPLE.COM1')).toBe(true);
  });

  it('accepts a clearly different password', () => {
    expect(isTooSimilar('ada@example.com', 'violet-harbour-lantern-92')).toBe(false);
  });

  it('uses a strict "more than half" threshold for the shared substring', () => {
    // 4 shared of 8: exactly half, and far enough in edit distance.
    expect(isTooSimilar('wxyzqqqqqqqq', 'wxyz1234')).toBe(false);
    // 5 shared of 9: more than half.
    expect(isTooSimilar('vwxyzqqqqqqqq', 'vwxyz1234')).toBe(true);
  });

  it('refuses a password within edit distance 4 even when little is shared verbatim', () => {
    expect(isTooSimilar('a1b2c3d4', 'a9b8c7d6')).toBe(true);
  });
});
