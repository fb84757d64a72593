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
  /**
   * Invalidations may have been missed (subscriber disconnected, just (re)subscribed, or a message
   * was unreadable): forget everything held locally.
   */
  reset(reason: ResetReason): void;
}

/** Why the local tier was reset. */
export type ResetReason = 'subscribed' | 'disconnected' | 'unreadable_message';
