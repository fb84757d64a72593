import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.js';
import { expiresInMs, parseGoDuration } from './expires-in.js';

describe('parseGoDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['.5m', 30_000],
    ['1.m', 60_000],
    ['1h30m', 5_400_000],
    ['90m', 5_400_000],
    ['+15s', 15_000],
    ['-1h', -3_600_000],
    ['0', 0],
    ['500\u00b5s', 1],
    ['500\u03bcs', 1],
    ['2500us', 3],
    ['1ns', 1],
  ])('reads %j as Go does (%d ms, rounded up)', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '.h', '1d', '1H', '1 s', ' 1s', '1.5.5h', '00', '-', '1h-1m', '3000000h'])(
    'refuses %j, as time.ParseDuration does',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('expiresInMs', () => {
  it("answers Kratos's 400s for an expires_in it cannot read or that is not in the future", () => {
    expect(expiresInMs(undefined, 42)).toBe(42);
    expect(expiresInMs('1.5h', 42)).toBe(5_400_000);
    const unreadable = (() => {
      try {
        expiresInMs('1 day', 42);
      } catch (error) {
        return error;
      }
    })();
    expect(unreadable).toBeInstanceOf(AppError);
    expect(unreadable).toMatchObject({
      code: 400,
      reason:
        'Unable to parse "expires_in" whose format should match "[0-9]+(ns|us|ms|s|m|h)" but did not: 1 day',
    });
    expect(() => expiresInMs('-1h', 42)).toThrow(AppError);
    expect(() => expiresInMs('0', 42)).toThrow(AppError);
  });
});
