import { parseDuration } from '../../kernel/duration.js';
import type { KratosConfigDocument } from '../types.js';

/** `database.cleanup`, as Kratos reads it for `cleanup sql`. */
export interface DatabaseCleanupConfig {
  /** Rows per DELETE. */
  readonly batchSize: number;
  /** Pause between tables. */
  readonly sleepTablesMs: number;
  /** Keep rows that expired less than this long ago. */
  readonly olderThanMs: number;
}

/** Kratos's schema defaults. */
export const DATABASE_CLEANUP_DEFAULTS: DatabaseCleanupConfig = Object.freeze({
  batchSize: 100,
  sleepTablesMs: 60_000,
  olderThanMs: 0,
});

export function databaseCleanupConfig(document: KratosConfigDocument): DatabaseCleanupConfig {
  const cleanup = document.database?.cleanup;
  const raw = typeof cleanup === 'object' && cleanup !== null ? (cleanup as Record<string, unknown>) : {};
  const sleep =
    typeof raw.sleep === 'object' && raw.sleep !== null ? (raw.sleep as Record<string, unknown>) : {};
  // The schema already checked the shapes; a key that is absent takes Kratos's default.
  return {
    batchSize: typeof raw.batch_size === 'number' ? raw.batch_size : DATABASE_CLEANUP_DEFAULTS.batchSize,
    sleepTablesMs: durationOr(sleep.tables, DATABASE_CLEANUP_DEFAULTS.sleepTablesMs),
    olderThanMs: durationOr(raw.older_than, DATABASE_CLEANUP_DEFAULTS.olderThanMs),
  };
}

function durationOr(value: unknown, fallback: number): number {
  return typeof value === 'string' ? (parseDuration(value) ?? fallback) : fallback;
}
