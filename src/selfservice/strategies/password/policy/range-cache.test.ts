import { describe, expect, it } from 'vitest';
import { RangeCache } from './range-cache.js';

/** A clock the test moves by hand. */
function manualClock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RangeCache', () => {
  it('returns what was stored', () => {
    const cache = new RangeCache<string>(2, 1000);
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    expect(cache.get('b')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new RangeCache<string>(2, 1000);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a'); // a is now more recent than b
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('expires entries after the time to live', () => {
    const clock = manualClock();
    const cache = new RangeCache<string>(2, 1000, clock.now);
    cache.set('a', 'A');
    clock.advance(999);
    expect(cache.get('a')).toBe('A');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing with capacity 0', () => {
    const cache = new RangeCache<string>(0, 1000);
    cache.set('a', 'A');
    expect(cache.get('a')).toBeUndefined();
  });
});
