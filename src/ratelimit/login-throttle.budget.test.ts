import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BRUTE_FORCE_CONFIG } from './config.js';
import { createLoginThrottle, type LoginSubject, type LoginThrottle } from './login-throttle.js';
import { type FakeClock, fakeClock } from './testing/fake-clock.js';
import { type OpenedStore, testStores } from './testing/stores.js';

// How many passwords an attacker can try with the default settings, computed by playing the
// attacker against the throttle on the fake clock. The requirement: well under 100 an hour on
// one account, while the owner can still get in after a wait.
const HOUR = 3_600_000;

let serial = 0;

describe.each(testStores())('login throttle budget with the defaults ($name)', (candidate) => {
  let opened: OpenedStore;
  let clock: FakeClock;
  let throttle: LoginThrottle;

  beforeAll(async () => {
    opened = await candidate.open();
  });
  afterAll(async () => {
    await opened.close();
  });

  /** Tries as soon as allowed until `until`, honouring Retry-After; returns the guesses made. */
  async function attackUntil(until: number, subject: () => LoginSubject): Promise<number> {
    let guesses = 0;
    while (clock.now() < until) {
      const target = subject();
      const decision = await throttle.check(target);
      if (decision.allowed) {
        guesses++;
        await throttle.recordFailure(target);
      } else {
        clock.advance(decision.retryAfterSeconds * 1000);
      }
    }
    return guesses;
  }

  function setUp(): number {
    clock = fakeClock();
    throttle = createLoginThrottle(DEFAULT_BRUTE_FORCE_CONFIG, opened.store, clock);
    return clock.now();
  }

  // A botnet: every attempt from a new address, so that only the per-identifier limit binds.
  const fromBotnet = (identifier: string) => (): LoginSubject => {
    const n = ++serial;
    return { identifier, ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
  };

  it('gives an attacker 17 guesses in the first hour on one account', async () => {
    const start = setUp();
    // 5 free, then after waits of 1 s, 2 s … 512 s ten more (1023 s), then one per 15 min.
    expect(await attackUntil(start + HOUR, fromBotnet(`victim-${++serial}@example.com`))).toBe(17);
  });

  it('gives at most 30 in any hour, even to one who saves guesses for a window boundary', async () => {
    const start = setUp();
    const victim = fromBotnet(`victim-${++serial}@example.com`);
    // One guess opens the window and the attacker comes back 512 s later: 16 guesses in what is
    // left of the window (4 free, then growing waits), 14 in the first 512 s of the next one.
    // A search over every whole-second start found none that gives more; and as any hour overlaps
    // at most two windows of at most 17 guesses each, 34 bounds every strategy.
    expect((await throttle.check(victim())).allowed).toBe(true);
    clock.set(start + 512_000);
    expect(await attackUntil(start + 512_000 + HOUR, victim)).toBe(30);
  });

  it('bounds one address spraying passwords across accounts to 119 guesses an hour', async () => {
    const start = setUp();
    const ip = `192.0.2.${++serial % 250}`;
    const spray = (): LoginSubject => ({ identifier: `user-${++serial}@example.com`, ip });
    // 100 free, then waits of 1 s … 256 s (511 s), then one per 5 min.
    expect(await attackUntil(start + HOUR, spray)).toBe(119);
  });
});
