import { describe, expect, it } from 'vitest';
import { resolveSettings } from './options.js';
import { assembleTwoTierCache, createTwoTierCache } from './two-tier-cache.js';

interface Session {
  id: string;
  active: boolean;
}

const OPTIONS = { maxEntries: 100, localTtlMs: 30_000 };

describe('two-tier cache without Redis', () => {
  it('keeps values in memory and hands back the stored object', async () => {
    const cache = await createTwoTierCache();
    expect(cache.mode).toBe('memory');
    const sessions = cache.namespace<Session>('sessions', OPTIONS);
    const session = { id: 's1', active: true };
    await sessions.set('hash-1', session, 60_000);
    expect(await sessions.get('hash-1')).toBe(session);
    expect(await sessions.get('hash-2')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ localHits: 1, misses: 1, remoteHits: 0, remoteErrors: 0 });
    expect(await cache.healthy()).toBe(true);
    await cache.close();
  });

  it('keeps namespaces apart', async () => {
    const cache = await createTwoTierCache();
    const sessions = cache.namespace<Session>('sessions', OPTIONS);
    const identities = cache.namespace<{ id: string }>('identities', OPTIONS);
    await sessions.set('x', { id: 's', active: true }, 60_000);
    expect(await identities.get('x')).toBeUndefined();
    await identities.invalidate(['x']);
    expect(await sessions.get('x')).toEqual({ id: 's', active: true });
    await cache.close();
  });

  it('drops invalidated keys and refuses to cache them again until the tombstone expires', async () => {
    let time = 1_000_000;
    const settings = { ...resolveSettings({ tombstoneTtlMs: 5_000 }), now: () => time };
    const cache = await assembleTwoTierCache(settings, undefined);
    const sessions = cache.namespace<Session>('sessions', OPTIONS);
    await sessions.set('hash-1', { id: 's1', active: true }, 60_000);
    await sessions.invalidate(['hash-1']);
    expect(await sessions.get('hash-1')).toBeUndefined();
    // A value read from SQL before the revocation, cached after it:
    await sessions.set('hash-1', { id: 's1', active: true }, 60_000);
    expect(await sessions.get('hash-1')).toBeUndefined();
    time += 5_001;
    await sessions.set('hash-1', { id: 's1', active: false }, 60_000);
    expect(await sessions.get('hash-1')).toEqual({ id: 's1', active: false });
    await cache.close();
  });

  it('holds maxEntries per namespace at most', async () => {
    const cache = await createTwoTierCache();
    const sessions = cache.namespace<Session>('sessions', { maxEntries: 2, localTtlMs: 30_000 });
    for (const id of ['a', 'b', 'c']) await sessions.set(id, { id, active: true }, 60_000);
    expect(await sessions.get('a')).toBeUndefined();
    expect(await sessions.get('b')).toEqual({ id: 'b', active: true });
    expect(await sessions.get('c')).toEqual({ id: 'c', active: true });
    await cache.close();
  });

  it('writes nothing for a ttl under 1 ms and rejects a ttl that is not a number', async () => {
    const cache = await createTwoTierCache();
    const sessions = cache.namespace<Session>('sessions', OPTIONS);
    await sessions.set('expired', { id: 'e', active: true }, -5);
    await sessions.set('almost', { id: 'a', active: true }, 0.9);
    expect(await sessions.get('expired')).toBeUndefined();
    expect(await sessions.get('almost')).toBeUndefined();
    await expect(sessions.set('nan', { id: 'n', active: true }, Number.NaN)).rejects.toThrow(RangeError);
    await cache.close();
  });

  it('rejects bad namespace names, duplicate namespaces and bad sizes', async () => {
    const cache = await createTwoTierCache();
    cache.namespace('sessions', OPTIONS);
    expect(() => cache.namespace('sessions', OPTIONS)).toThrow(/already exists/);
    expect(() => cache.namespace('a:b', OPTIONS)).toThrow(RangeError);
    expect(() => cache.namespace('', OPTIONS)).toThrow(RangeError);
    expect(() => cache.namespace('x', { maxEntries: 0, localTtlMs: 1_000 })).toThrow(RangeError);
    expect(() => cache.namespace('y', { maxEntries: 10, localTtlMs: 1.5 })).toThrow(RangeError);
    await cache.close();
  });

  it('rejects cache options that cannot work', async () => {
    await expect(createTwoTierCache({ tombstoneTtlMs: 0 })).rejects.toThrow(RangeError);
    await expect(createTwoTierCache({ commandTimeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(createTwoTierCache({ clientName: 'has space' })).rejects.toThrow(RangeError);
    await expect(createTwoTierCache({ heartbeatIntervalMs: 0 })).rejects.toThrow(RangeError);
    // A silence bound within one heartbeat interval would take a healthy subscription for dead.
    await expect(
      createTwoTierCache({ heartbeatIntervalMs: 1_000, subscriberSilenceMs: 1_000 }),
    ).rejects.toThrow(RangeError);
  });
});
