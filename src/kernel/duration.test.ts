import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['1s', 1000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1000000ns', 1],
    ['1500us', 2],
    ['1ns', 1],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'h', '1.5h', '-1s', '1 s', '1d', '1S', ' 1s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
