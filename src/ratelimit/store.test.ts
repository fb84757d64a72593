import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterKey } from './keys.js';
import { type AttemptRule, type CounterStore, EMPTY_STATE } from './store.js';
import { type OpenedStore, testStores } from './testing/stores.js';

const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const RULE: AttemptRule = { windowMs: HOUR, freeAttempts: 3, baseDelayMs: SECOND, maxDelayMs: 8 * SECOND };

let serial = 0;
// A fresh key per test, so tests sharing one store never see each other's counters.
const freshKey = (): string => counterKey('test', `key-${++serial}`);

describe.each(testStores())('counter store contract ($name)', (candidate) => {
  let opened: OpenedStore;
  let store: CounterStore;

  beforeAll(async () => {
    opened = await candidate.open();
    store = opened.store;
  });
  afterAll(async () => {
    await opened.close();
  });

  async function admittedAt(key: string, now: number, times = 1): Promise<boolean[]> {
    const results: boolean[] = [];
    for (let i = 0; i < times; i++) results.push((await store.attempt(key, RULE, now)).admitted);
    return results;
  }

  it('reads an unknown key as empty', async () => {
    expect(await store.peek(freshKey(), T0)).toEqual(EMPTY_STATE);
  });

  it('admits the free attempts back to back, then locks for the base delay', async () => {
    const key = freshKey();
    expect(await admittedAt(key, T0, 3)).toEqual([true, true, true]);
    expect(await store.peek(key, T0)).toEqual({
      count: 3,
      lockedUntil: T0 + SECOND,
      windowEndsAt: T0 + HOUR,
    });
    expect(await admittedAt(key, T0 + SECOND - 1)).toEqual([false]);
    expect(await admittedAt(key, T0 + SECOND)).toEqual([true]);
  });

  it('does not count refused attempts', async () => {
    const key = freshKey();
    await admittedAt(key, T0, 3);
    const refused = await store.attempt(key, RULE, T0 + 10);
    expect(refused).toEqual({
      admitted: false,
      state: { count: 3, lockedUntil: T0 + SECOND, windowEndsAt: T0 + HOUR },
    });
  });

  it('doubles the wait with each further attempt, up to the cap', async () => {
    const key = freshKey();
    let now = T0;
    await admittedAt(key, now, 3);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = await store.peek(key, now);
      now = before.lockedUntil;
      const outcome = await store.attempt(key, RULE, now);
      expect(outcome.admitted).toBe(true);
      waits.push(outcome.state.lockedUntil - now);
    }
    expect(waits).toEqual([2, 4, 8, 8, 8, 8].map((s) => s * SECOND));
  });

  it('keeps the window where the first attempt opened it, and starts over when it ends', async () => {
    const key = freshKey();
    await store.attempt(key, RULE, T0);
    const later = await store.attempt(key, RULE, T0 + HOUR / 2);
    expect(later.state.windowEndsAt).toBe(T0 + HOUR);
    expect(await store.peek(key, T0 + HOUR)).toEqual(EMPTY_STATE);
    const fresh = await store.attempt(key, RULE, T0 + HOUR);
    expect(fresh.state).toEqual({ count: 1, lockedUntil: T0 + HOUR, windowEndsAt: T0 + 2 * HOUR });
  });

  it('never locks past the end of the window', async () => {
    const key = freshKey();
    const lastSecond = T0 + HOUR - SECOND / 2;
    await store.attempt(key, RULE, T0);
    await admittedAt(key, lastSecond, 2);
    expect((await store.peek(key, lastSecond)).lockedUntil).toBe(T0 + HOUR);
  });

  it('lifts the lock when a refund brings the count back under the free attempts', async () => {
    const key = freshKey();
    await admittedAt(key, T0, 3);
    await store.refund(key, RULE, T0);
    expect(await store.peek(key, T0)).toEqual({ count: 2, lockedUntil: T0, windowEndsAt: T0 + HOUR });
    expect(await admittedAt(key, T0)).toEqual([true]);
  });

  it('shrinks the lock on a refund past the free attempts to the wait of the remaining count', async () => {
    const key = freshKey();
    await admittedAt(key, T0, 3);
    await store.attempt(key, RULE, T0 + SECOND);
    expect((await store.peek(key, T0 + SECOND)).lockedUntil).toBe(T0 + 3 * SECOND);
    await store.refund(key, RULE, T0 + SECOND);
    // Three attempts impose one second, counted from the refund: not shorter than before the fourth.
    expect(await store.peek(key, T0 + SECOND)).toEqual({
      count: 3,
      lockedUntil: T0 + 2 * SECOND,
      windowEndsAt: T0 + HOUR,
    });
  });

  it('refunds nothing below zero, on an unknown key or after the window', async () => {
    const key = freshKey();
    await store.attempt(key, RULE, T0);
    await store.refund(key, RULE, T0);
    await store.refund(key, RULE, T0);
    expect((await store.peek(key, T0)).count).toBe(0);
    const unknown = freshKey();
    await store.refund(unknown, RULE, T0);
    expect(await store.peek(unknown, T0)).toEqual(EMPTY_STATE);
    const ended = freshKey();
    await store.attempt(ended, RULE, T0);
    await store.refund(ended, RULE, T0 + HOUR);
    expect((await store.attempt(ended, RULE, T0 + HOUR)).state.count).toBe(1);
  });

  it('forgets a counter on reset, leaving other keys alone', async () => {
    const key = freshKey();
    const other = freshKey();
    await admittedAt(key, T0, 3);
    await admittedAt(other, T0, 3);
    await store.reset(key);
    expect(await store.peek(key, T0)).toEqual(EMPTY_STATE);
    expect((await store.peek(other, T0)).count).toBe(3);
    expect(await admittedAt(other, T0)).toEqual([false]);
  });

  it('counts concurrent attempts from several replicas exactly', async () => {
    const key = freshKey();
    const replicas = [store, opened.replica(), opened.replica()];
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => replicas[i % replicas.length]!.attempt(key, RULE, T0)),
    );
    expect(outcomes.filter((outcome) => outcome.admitted)).toHaveLength(RULE.freeAttempts);
    expect((await store.peek(key, T0)).count).toBe(RULE.freeAttempts);
  });
});
