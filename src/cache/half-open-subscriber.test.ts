import { describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_TEXT } from './invalidation-message.js';
import { TEST_REDIS_URL } from './testing/redis.js';
import { useRelayedReplicas } from './testing/relayed-replicas.js';
import type { TwoTierCacheOptions } from './types.js';

interface Session {
  id: string;
  active: boolean;
}

/** An LRU that would keep a stale entry for a minute if nothing else dropped it. */
const NS = { maxEntries: 100, localTtlMs: 60_000 };
/** Heartbeats every 100 ms; 500 ms of silence is a dead subscription. */
const FAST: TwoTierCacheOptions = {
  heartbeatIntervalMs: 100,
  subscriberSilenceMs: 500,
  commandTimeoutMs: 300,
};

/**
 * Replica A reaches Redis through a relay that the test freezes: A's connections stay open but
 * nothing gets through, and no reset tells A (a half-open connection). Replica B reaches Redis
 * directly and revokes a session A has in its LRU.
 */
describe.skipIf(!TEST_REDIS_URL)('a half-open invalidation subscription', () => {
  const replicas = useRelayedReplicas(FAST);
  const { replica } = replicas;

  it('stops serving its LRU within the silence bound, and serves it again once healed', async () => {
    const a = await replica('a', { redisUrl: replicas.relay.url });
    const b = await replica('b');
    const onA = a.namespace<Session>('sessions', NS);
    const onB = b.namespace<Session>('sessions', NS);
    await onB.set('h1', { id: 's1', active: true }, 60_000);
    expect(await onA.get('h1')).toEqual({ id: 's1', active: true });
    expect(onA.peek('h1')).toEqual({ id: 's1', active: true });

    replicas.relay.freeze();
    const frozenAt = performance.now();
    // The revocation reaches Redis and is published, but A never hears it.
    expect(await onB.invalidate(['h1'])).toBe('complete');

    await vi.waitFor(() => expect(onA.peek('h1')).toBeUndefined(), { timeout: 5_000, interval: 20 });
    // Heard nothing for 500 ms, noticed at the next heartbeat tick (100 ms), give or take the timers.
    expect(performance.now() - frozenAt).toBeLessThan(2_000);
    expect(await onA.get('h1')).toBeUndefined();
    expect(a.stats().subscriberSilences).toBe(1);
    expect(await a.healthy()).toBe(false);
    // Deaf, A keeps nothing it reads or writes in its LRU.
    await onA.set('h2', { id: 's2', active: true }, 60_000);
    expect(onA.peek('h2')).toBeUndefined();

    replicas.relay.heal();
    await vi.waitFor(async () => expect(await a.healthy()).toBe(true), { timeout: 10_000, interval: 50 });
    // Subscribed again: the LRU fills and serves, and invalidations arrive.
    await onA.set('h3', { id: 's3', active: true }, 60_000);
    expect(onA.peek('h3')).toEqual({ id: 's3', active: true });
    await onB.invalidate(['h3']);
    await vi.waitFor(() => expect(onA.peek('h3')).toBeUndefined(), { timeout: 5_000, interval: 20 });
  });

  it('keeps a quiet but live subscription: heartbeats are neither silences nor invalidations', async () => {
    const a = await replica('a');
    const onA = a.namespace<Session>('sessions', NS);
    await onA.set('h4', { id: 's4', active: true }, 60_000);
    const resets = a.stats().localResets;
    // Ten silence bounds without a single invalidation.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(onA.peek('h4')).toEqual({ id: 's4', active: true });
    expect(a.stats()).toMatchObject({ subscriberSilences: 0, localResets: resets, invalidationsReceived: 0 });
    expect(await a.healthy()).toBe(true);
  });

  it('publishes heartbeats a replica without them applies as an empty invalidation', async () => {
    const listener = replicas.scope.admin.duplicate();
    try {
      await listener.subscribe(replicas.scope.channel);
      const heard = new Promise<string>((resolve) =>
        listener.once('message', (_channel, text) => resolve(text)),
      );
      await replica('a');
      expect(JSON.parse(await heard)).toEqual({ ns: '', keys: [] });
      expect(HEARTBEAT_TEXT).toBe('{"ns":"","keys":[]}');
    } finally {
      listener.disconnect();
    }
  });
});
