import { describe, expect, it } from 'vitest';
import { LocalTier, TOMBSTONE } from './local-tier.js';

/** A clock the test moves by hand; starts far from 0, which lru-cache reads as "no TTL". */
function fakeClock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000_000;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}

function tier(clock = fakeClock(), maxEntries = 10) {
  const local = new LocalTier<{ n: number }>({
    maxEntries,
    localTtlMs: 1_000,
    tombstoneTtlMs: 5_000,
    now: clock.now,
  });
  return { local, clock };
}

describe('LocalTier', () => {
  it('returns the stored object itself, without copying', () => {
    const { local } = tier();
    const value = { n: 1 };
    expect(local.store('k', value, 60_000, local.generation)).toBe(true);
    expect(local.lookup('k')).toBe(value);
  });

  it('keeps an entry for localTtlMs at most', () => {
    const { local, clock } = tier();
    local.store('k', { n: 1 }, 60_000, local.generation);
    clock.advance(1_000);
    expect(local.lookup('k')).toEqual({ n: 1 });
    clock.advance(1);
    expect(local.lookup('k')).toBeUndefined();
  });

  it('never keeps an entry past its own ttl when that is shorter', () => {
    const { local, clock } = tier();
    local.store('k', { n: 1 }, 100, local.generation);
    clock.advance(100);
    expect(local.lookup('k')).toEqual({ n: 1 });
    clock.advance(1);
    expect(local.lookup('k')).toBeUndefined();
  });

  it('refuses to store a value fetched before an invalidation or reset was applied', () => {
    const { local } = tier();
    const beforeBury = local.generation;
    local.bury(['other']);
    expect(local.store('k', { n: 1 }, 60_000, beforeBury)).toBe(false);
    const beforeClear = local.generation;
    local.clear();
    expect(local.store('k', { n: 1 }, 60_000, beforeClear)).toBe(false);
    expect(local.lookup('k')).toBeUndefined();
    expect(local.store('k', { n: 2 }, 60_000, local.generation)).toBe(true);
  });

  it('refuses a ttl under 1 ms instead of keeping the entry forever', () => {
    const { local } = tier();
    expect(local.store('k', { n: 1 }, 0.5, local.generation)).toBe(false);
    expect(local.store('k', { n: 1 }, Number.NaN, local.generation)).toBe(false);
    expect(local.lookup('k')).toBeUndefined();
  });

  it('buries keys under a tombstone until tombstoneTtlMs has passed', () => {
    const { local, clock } = tier();
    local.store('k', { n: 1 }, 60_000, local.generation);
    local.bury(['k']);
    expect(local.lookup('k')).toBe(TOMBSTONE);
    expect(local.isBuried('k')).toBe(true);
    clock.advance(5_001);
    expect(local.isBuried('k')).toBe(false);
    expect(local.lookup('k')).toBeUndefined();
  });

  it('holds maxEntries at most, dropping the least recently used', () => {
    const { local } = tier(fakeClock(), 2);
    local.store('a', { n: 1 }, 60_000, local.generation);
    local.store('b', { n: 2 }, 60_000, local.generation);
    local.lookup('a');
    local.store('c', { n: 3 }, 60_000, local.generation);
    expect(local.size).toBe(2);
    expect(local.lookup('b')).toBeUndefined();
    expect(local.lookup('a')).toEqual({ n: 1 });
    expect(local.lookup('c')).toEqual({ n: 3 });
  });

  it('while suspended, holds nothing but tombstones; resumed, starts from empty', () => {
    const { local } = tier();
    local.store('a', { n: 1 }, 60_000, local.generation);
    local.suspend();
    expect(local.lookup('a')).toBeUndefined();
    expect(local.store('b', { n: 2 }, 60_000, local.generation)).toBe(false);
    expect(local.lookup('b')).toBeUndefined();
    // A local invalidation is still honoured while suspended.
    local.bury(['c']);
    expect(local.lookup('c')).toBe(TOMBSTONE);
    // A read that began before the resume must not fill the tier either.
    const before = local.generation;
    local.resume();
    expect(local.size).toBe(0);
    expect(local.store('d', { n: 4 }, 60_000, before)).toBe(false);
    expect(local.store('d', { n: 4 }, 60_000, local.generation)).toBe(true);
    expect(local.lookup('d')).toEqual({ n: 4 });
  });
});
