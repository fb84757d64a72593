import { describe, expect, it } from 'vitest';
import { goInt, parseGoInt } from './go-int.js';

describe('parseGoInt (strconv.ParseInt base 10, 64 bits)', () => {
  it.each([
    ['0', 0],
    ['+7', 7],
    ['-7', -7],
    ['007', 7],
    ['9223372036854775807', 2 ** 63],
    ['-9223372036854775808', -(2 ** 63)],
    ['9223372036854775808', 'value out of range'],
    ['-9223372036854775809', 'value out of range'],
    ['', 'invalid syntax'],
    [' 7', 'invalid syntax'],
    ['7.0', 'invalid syntax'],
    ['0x10', 'invalid syntax'],
    ['1_000', 'invalid syntax'],
    ['+', 'invalid syntax'],
  ])('%j', (value, expected) => {
    expect(parseGoInt(value)).toBe(expected);
  });

  it('goInt: the number, or undefined where Go fails or nothing is given', () => {
    expect(goInt('42')).toBe(42);
    expect(goInt('4x')).toBeUndefined();
    expect(goInt('9223372036854775808')).toBeUndefined();
    expect(goInt(undefined)).toBeUndefined();
  });
});
