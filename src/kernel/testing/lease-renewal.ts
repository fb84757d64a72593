import { expect } from 'vitest';
import type { LeasedQueue } from '../leased-worker.js';

/** What the renewal contract reads of one outbox table (each names its columns its own way). */
export interface LeaseRenewalProbe {
  queue: LeasedQueue<{ readonly id: string }>;
  /** Queues one item, due at `t0`; its id. */
  enqueueOne(t0: Date): Promise<string>;
  /** Settles a leased item as done (sent, delivered) by `owner`. */
  settle(id: string, owner: string, now: Date): Promise<unknown>;
  /** The item as stored, with the attempts its claims counted. */
  read(id: string): Promise<{ lease_owner: string | null; lease_expires_at: Date | null; attempts: number }>;
}

/**
 * The contract of `LeasedQueue.renew` both outboxes keep: a renewal extends only a lease its
 * owner still holds and that has not run out, is not an attempt, and keeps claims off the
 * item until the renewed lease ends. Runs against the real store (SQLite or PostgreSQL).
 */
export async function expectLeaseRenewal(probe: LeaseRenewalProbe): Promise<void> {
  const lease = 60_000;
  const t0 = new Date('2026-06-01T12:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const { queue } = probe;
  const id = await probe.enqueueOne(t0);
  await queue.claim({ owner: 'w1', limit: 1, leaseMs: lease, now: t0 });
  expect(await queue.renew(id, 'w2', { leaseMs: lease, now: at(30_000) })).toBe('lease_lost');
  expect(await queue.renew(id, 'w1', { leaseMs: lease, now: at(30_000) })).toBe('settled');
  // A renewal is not an attempt; the lease now holds until 90 s, not the claim's 60 s.
  expect(await probe.read(id)).toMatchObject({
    lease_owner: 'w1',
    lease_expires_at: at(90_000),
    attempts: 1,
  });
  expect(await queue.claim({ owner: 'w2', limit: 1, leaseMs: lease, now: at(60_000) })).toEqual([]);

  // Once the lease has run out it cannot be renewed, even while nobody else has claimed it.
  expect(await queue.renew(id, 'w1', { leaseMs: lease, now: at(90_000) })).toBe('lease_lost');
  const [taken] = await queue.claim({ owner: 'w2', limit: 1, leaseMs: lease, now: at(90_000) });
  expect(taken?.id).toBe(id);
  expect(await probe.read(id)).toMatchObject({ lease_owner: 'w2', attempts: 2 });
  expect(await queue.renew(id, 'w1', { leaseMs: lease, now: at(90_001) })).toBe('lease_lost');
  await probe.settle(id, 'w2', at(90_002));
  expect(await queue.renew(id, 'w2', { leaseMs: lease, now: at(90_003) })).toBe('lease_lost');
}
