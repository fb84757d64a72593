import { describe, expect, it } from 'vitest';
import { goFixed2, goFloat, goQuote, goTime, goTimeString, goUnix, goValue } from './go-format.js';

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['tab\there\nnl\u0007bell\u000bvt', '"tab\\there\\nnl\\abell\\vvt"'],
    ['\u0001\u007f', '"\\x01\\x7f"'],
    ['café ✓ 日本', '"café ✓ 日本"'],
    ['nb\u00a0sp\u200bzw', '"nb\\u00a0sp\\u200bzw"'],
    ['emoji 😀', '"emoji 😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ])('quotes %j', (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });
});

describe('goFloat (%v of float64)', () => {
  it.each([
    [0, '0'],
    [5, '5'],
    [-3.5, '-3.5'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e21, '1e+21'],
    [0.1 + 0.2, '0.30000000000000004'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NaN, 'NaN'],
  ])('prints %d as %s', (input, expected) => {
    expect(goFloat(input)).toBe(expected);
  });
});

describe('the other verbs', () => {
  it('formats %.2f', () => {
    expect(goFixed2(1)).toBe('1.00');
    expect(goFixed2(14.999)).toBe('15.00');
  });

  it('writes times as encoding/json and time.Time.String do, in UTC', () => {
    expect(goTime(new Date('2020-01-01T00:59:59.000Z'))).toBe('2020-01-01T00:59:59Z');
    expect(goTime(new Date('2020-01-01T00:59:59.120Z'))).toBe('2020-01-01T00:59:59.12Z');
    expect(goTimeString(new Date('2020-01-01T00:59:59.000Z'))).toBe('2020-01-01 00:59:59 +0000 UTC');
    expect(goUnix(new Date('2020-01-01T00:59:59.999Z'))).toBe(1577840399);
  });

  it('prints JSON values as %v does', () => {
    expect(goValue('a')).toBe('a');
    expect(goValue(2)).toBe('2');
    expect(goValue(true)).toBe('true');
    expect(goValue(null)).toBe('<nil>');
    expect(goValue(['a', 1])).toBe('[a 1]');
    expect(goValue({ b: 1, a: 'x' })).toBe('map[a:x b:1]');
  });
});
