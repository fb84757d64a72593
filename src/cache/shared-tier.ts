/**
 * The contract between the namespaces and whatever is shared between replicas (Redis today).
 * Keeping it this small lets tests put a real Redis tier behind a gate to replay races.
 */

/** A value found in the shared tier. */
export interface SharedEntry {
  /** The encoded value. */
  text: string;
  /** Time left before it expires there; `Infinity` if it has no expiry. */
  ttlMs: number;
}

/** The shared tier: reads, guarded writes and broadcast invalidations. Every method may reject. */
export interface SharedTier {
  /** The entry, or `undefined` when absent or tombstoned. */
  read(namespace: string, key: string): Promise<SharedEntry | undefined>;
  /** Stores `text` for `ttlMs`; `false` (and nothing written) when the key holds a tombstone. */
  write(namespace: string, key: string, text: string, ttlMs: number): Promise<boolean>;
  /** Tombstones the keys and publishes an invalidation to every replica, atomically. */
  invalidate(namespace: string, keys: readonly string[]): Promise<void>;
  /** Whether commands are answered and invalidations are being received. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** What a replica does with invalidations coming from the shared tier. */
export interface InvalidationListener {
  /** Another replica (or this one) invalidated `keys` of `namespace`. */
  invalidated(namespace: string, keys: readonly string[]): void;
  /** A message could not be read, so an invalidation may have been missed: forget everything held locally. */
  reset(reason: 'unreadable_message'): void;
  /**
   * Invalidations may not be arriving: the subscriber disconnected, or has heard nothing (not
   * even a heartbeat) for `subscriberSilenceMs`, as on a half-open connection. Forget everything
   * held locally and keep nothing until {@link InvalidationListener.listening}.
   */
  deaf(reason: DeafReason): void;
  /** The subscription is confirmed: every invalidation from now on arrives. Cache again, from empty. */
  listening(): void;
}

/** Why the subscription is not trusted. */
export type DeafReason = 'disconnected' | 'silent';
