import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BruteForceConfig, DEFAULT_BRUTE_FORCE_CONFIG } from './config.js';
import { createLoginThrottle, type LoginSubject, type LoginThrottle } from './login-throttle.js';
import type { CounterStore } from './store.js';
import { type FakeClock, fakeClock } from './testing/fake-clock.js';
import { type OpenedStore, testStores } from './testing/stores.js';

const SECOND = 1000;
// Small numbers keep the per-IP cases short; the defaults are exercised in login-throttle.budget.test.ts.
const CONFIG: BruteForceConfig = {
  enabled: true,
  perIdentifier: { freeAttempts: 3, baseDelayMs: SECOND, maxDelayMs: 60 * SECOND, windowMs: 3600 * SECOND },
  perIp: { freeAttempts: 10, baseDelayMs: SECOND, maxDelayMs: 60 * SECOND, windowMs: 3600 * SECOND },
  trustedProxies: [],
};

let serial = 0;
// Fresh identifiers and IPs per test, so tests sharing one store never meet.
const unique = (name: string): string => `${name}-${++serial}@example.com`;
const uniqueIp = (): string => {
  const n = ++serial;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

describe.each(testStores())('login throttle ($name)', (candidate) => {
  let opened: OpenedStore;
  let clock: FakeClock;
  let throttle: LoginThrottle;

  beforeAll(async () => {
    opened = await candidate.open();
  });
  afterAll(async () => {
    await opened.close();
  });

  function setUp(config: BruteForceConfig = CONFIG, store: CounterStore = opened.store): void {
    clock = fakeClock();
    throttle = createLoginThrottle(config, store, clock);
  }

  /** Checks and, when admitted, fails: one wrong password. Returns the check's decision. */
  async function fail(subject: LoginSubject): Promise<Awaited<ReturnType<LoginThrottle['check']>>> {
    const decision = await throttle.check(subject);
    if (decision.allowed) await throttle.recordFailure(subject);
    return decision;
  }

  it('allows the free failures, then answers with a Retry-After that doubles', async () => {
    setUp();
    // A new IP per attempt, as from a botnet, so that only the identifier's limit applies.
    const identifier = unique('ada');
    const ada = (): LoginSubject => ({ identifier, ip: uniqueIp() });
    for (let i = 0; i < 3; i++) expect(await fail(ada())).toEqual({ allowed: true });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const refused = await throttle.check(ada());
      if (refused.allowed) throw new Error('expected a refusal');
      expect(refused.scope).toBe('identifier');
      waits.push(refused.retryAfterSeconds);
      clock.advance(refused.retryAfterSeconds * SECOND);
      expect(await fail(ada())).toEqual({ allowed: true });
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('reports the wait in force after a failure', async () => {
    setUp();
    const ada = { identifier: unique('ada'), ip: uniqueIp() };
    await fail(ada);
    await fail(ada);
    await throttle.check(ada);
    expect(await throttle.recordFailure(ada)).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
      scope: 'identifier',
    });
  });

  it('does not lock bob out when ada is locked, from the same IP or another', async () => {
    setUp();
    const ip = uniqueIp();
    const ada = { identifier: unique('ada'), ip };
    for (let i = 0; i < 4; i++) await fail(ada);
    expect((await throttle.check(ada)).allowed).toBe(false);
    expect(await throttle.check({ identifier: unique('bob'), ip })).toEqual({ allowed: true });
    expect(await throttle.check({ identifier: unique('bob'), ip: uniqueIp() })).toEqual({ allowed: true });
  });

  it('lets the owner sign in after waiting, and then starts them afresh', async () => {
    setUp();
    const ada = { identifier: unique('ada'), ip: uniqueIp() };
    for (let i = 0; i < 4; i++) await fail(ada);
    const refused = await throttle.check(ada);
    if (refused.allowed) throw new Error('expected a refusal');
    clock.advance(refused.retryAfterSeconds * SECOND);
    expect(await throttle.check(ada)).toEqual({ allowed: true });
    await throttle.recordSuccess(ada);
    for (let i = 0; i < 3; i++) expect(await fail(ada)).toEqual({ allowed: true });
  });

  it('counts a burst of concurrent attempts before any of them fails', async () => {
    setUp();
    const ada = { identifier: unique('ada'), ip: uniqueIp() };
    const decisions = await Promise.all(Array.from({ length: 30 }, () => throttle.check(ada)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(CONFIG.perIdentifier.freeAttempts);
  });

  it('locks a spraying IP out of every account, and only that IP', async () => {
    setUp();
    const sprayer = uniqueIp();
    for (let i = 0; i < 10; i++)
      expect(await fail({ identifier: unique('victim'), ip: sprayer })).toEqual({ allowed: true });
    expect(await throttle.check({ identifier: unique('victim'), ip: sprayer })).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
      scope: 'ip',
    });
    expect(await throttle.check({ identifier: unique('victim'), ip: uniqueIp() })).toEqual({ allowed: true });
  });

  it('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', async () => {
    setUp();
    const site = ++serial;
    for (let i = 0; i < 10; i++)
      await fail({ identifier: unique('victim'), ip: `2001:db8:${site}:1::${i.toString(16)}` });
    const sameNetwork = await throttle.check({
      identifier: unique('victim'),
      ip: `2001:db8:${site}:1:ffff::1`,
    });
    expect(sameNetwork).toMatchObject({ allowed: false, scope: 'ip' });
    const next = `2001:db8:${site}:2::1`;
    expect(await throttle.check({ identifier: unique('victim'), ip: next })).toEqual({ allowed: true });

    const ipv4 = uniqueIp();
    for (let i = 0; i < 10; i++) await fail({ identifier: unique('victim'), ip: `::ffff:${ipv4}` });
    expect(await throttle.check({ identifier: unique('victim'), ip: ipv4 })).toMatchObject({
      allowed: false,
      scope: 'ip',
    });
  });

  it('resets the identifier on success but keeps the failures counted against the IP', async () => {
    setUp();
    const ip = uniqueIp();
    const ada = { identifier: unique('ada'), ip };
    for (let i = 0; i < 3; i++) await fail(ada);
    for (let i = 0; i < 6; i++) await fail({ identifier: unique('other'), ip });
    clock.advance(SECOND);
    expect(await throttle.check(ada)).toEqual({ allowed: true });
    await throttle.recordSuccess(ada);
    // The IP still has its 9 failures (the success was not one): one more, and it waits.
    expect(await fail({ identifier: unique('carol'), ip })).toEqual({ allowed: true });
    expect(await throttle.check({ identifier: unique('dave'), ip })).toMatchObject({
      allowed: false,
      scope: 'ip',
    });
    // ada's own failures were forgotten: once the IP may try again, she has her free attempts.
    clock.advance(SECOND);
    for (let i = 0; i < 3; i++) expect(await fail({ ...ada, ip: uniqueIp() })).toEqual({ allowed: true });
  });

  it('does not count attempts on a locked account against the IP they come from', async () => {
    setUp();
    const ip = uniqueIp();
    const ada = { identifier: unique('ada'), ip };
    for (let i = 0; i < 4; i++) await fail(ada);
    for (let i = 0; i < 20; i++)
      expect(await throttle.check(ada)).toMatchObject({ allowed: false, scope: 'identifier' });
    expect(await throttle.check({ identifier: unique('bob'), ip })).toEqual({ allowed: true });
  });

  it('forgets failures when the window ends', async () => {
    setUp();
    const ada = { identifier: unique('ada'), ip: uniqueIp() };
    for (let i = 0; i < 6; i++) {
      await fail(ada);
      clock.advance(60 * SECOND);
    }
    clock.advance(CONFIG.perIdentifier.windowMs);
    for (let i = 0; i < 3; i++) expect(await fail(ada)).toEqual({ allowed: true });
  });

  it('skips the per-IP limit when the client IP is unknown', async () => {
    setUp();
    for (let i = 0; i < 20; i++)
      expect(await fail({ identifier: unique('victim'), ip: undefined })).toEqual({ allowed: true });
  });

  it('never stores an identifier or an IP in the clear', async () => {
    const keys: string[] = [];
    const inner = opened.store;
    const seen = (key: string): string => {
      keys.push(key);
      return key;
    };
    const recording: CounterStore = {
      attempt: (key, rule, now) => inner.attempt(seen(key), rule, now),
      peek: (key, now) => inner.peek(seen(key), now),
      refund: (key, rule, now) => inner.refund(seen(key), rule, now),
      reset: (key) => inner.reset(seen(key)),
    };
    setUp(CONFIG, recording);
    const ada = { identifier: unique('ada'), ip: '203.0.113.77' };
    await fail(ada);
    await throttle.check(ada);
    await throttle.recordSuccess(ada);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(/^login:(identifier|ip):[A-Za-z0-9_-]{43}$/);
      expect(key).not.toContain('example.com');
      expect(key).not.toContain('203.0.113');
    }
  });

  it('allows everything and touches no counter when disabled', async () => {
    const untouchable: CounterStore = {
      attempt: () => Promise.reject(new Error('store used')),
      peek: () => Promise.reject(new Error('store used')),
      refund: () => Promise.reject(new Error('store used')),
      reset: () => Promise.reject(new Error('store used')),
    };
    setUp({ ...DEFAULT_BRUTE_FORCE_CONFIG, enabled: false }, untouchable);
    const ada = { identifier: unique('ada'), ip: uniqueIp() };
    for (let i = 0; i < 50; i++) expect(await fail(ada)).toEqual({ allowed: true });
    await throttle.recordSuccess(ada);
  });
});
