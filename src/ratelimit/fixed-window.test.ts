import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedWindowLimit } from './fixed-window.js';
import { type OpenedStore, testStores } from './testing/stores.js';

const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;
const RULE = { limit: 3, windowMs: HOUR };

let serial = 0;
const address = (): string => `ada-${++serial}@example.com`;

describe.each(testStores())('fixedWindowLimit ($name)', (candidate) => {
  let opened: OpenedStore;

  beforeAll(async () => {
    opened = await candidate.open();
  });
  afterAll(async () => {
    await opened.close();
  });

  it('allows `limit` events per window, then refuses until the window ends', async () => {
    const store = opened.store;
    const key = address();
    const remaining = [];
    for (let i = 0; i < 3; i++)
      remaining.push(await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0 + i * 60_000));
    expect(remaining).toEqual([2, 1, 0].map((left) => ({ allowed: true, remaining: left })));
    expect(await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0 + 10 * 60_000)).toEqual({
      allowed: false,
      retryAfterSeconds: 50 * 60,
    });
    expect(await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0 + HOUR)).toEqual({
      allowed: true,
      remaining: 2,
    });
  });

  it('does not count refused events, nor let them push the window back', async () => {
    const store = opened.store;
    const key = address();
    for (let i = 0; i < 3; i++) await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0);
    for (let minute = 1; minute < 60; minute++)
      expect((await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0 + minute * 60_000)).allowed).toBe(
        false,
      );
    expect((await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0 + HOUR)).allowed).toBe(true);
  });

  it('keeps keys and scopes apart', async () => {
    const store = opened.store;
    const key = address();
    for (let i = 0; i < 3; i++) await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0);
    expect((await fixedWindowLimit(store, 'mail:recovery', key, RULE, T0)).allowed).toBe(false);
    expect((await fixedWindowLimit(store, 'mail:verification', key, RULE, T0)).allowed).toBe(true);
    expect((await fixedWindowLimit(store, 'mail:recovery', address(), RULE, T0)).allowed).toBe(true);
  });

  it.each([
    { limit: 0, windowMs: HOUR },
    { limit: 1.5, windowMs: HOUR },
    { limit: 3, windowMs: 0 },
    { limit: 3, windowMs: 0.5 },
  ])('refuses the rule %j', async (rule) => {
    await expect(fixedWindowLimit(opened.store, 'mail:recovery', address(), rule, T0)).rejects.toThrow(
      RangeError,
    );
  });
});
