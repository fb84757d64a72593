import { describe, expect, it } from 'vitest';
import { admit, delayAfter, secondsUntil } from './rule.js';
import type { AttemptRule } from './store.js';

const RULE: AttemptRule = { windowMs: 3_600_000, freeAttempts: 5, baseDelayMs: 1000, maxDelayMs: 900_000 };

describe('delayAfter', () => {
  it.each([
    [1, 0],
    [4, 0],
    [5, 1000],
    [6, 2000],
    [14, 512_000],
    [15, 900_000],
    [10_000, 900_000],
  ])('after %d attempts waits %d ms', (count, ms) => {
    expect(delayAfter(count, RULE)).toBe(ms);
  });
});

describe('admit', () => {
  it('treats a state whose window has ended as empty', () => {
    const stale = { count: 40, lockedUntil: 2_000, windowEndsAt: 1_000 };
    expect(admit(stale, RULE, 1_000)).toEqual({
      admitted: true,
      state: { count: 1, lockedUntil: 1_000, windowEndsAt: 1_000 + RULE.windowMs },
    });
  });
});

describe('secondsUntil', () => {
  it.each([
    [1000, 0, 1],
    [1001, 0, 2],
    [900_000, 0, 900],
    [5, 0, 1],
    [0, 10, 1],
  ])('lock %d at %d: Retry-After %d', (lockedUntil, now, seconds) => {
    expect(secondsUntil(lockedUntil, now)).toBe(seconds);
  });
});
