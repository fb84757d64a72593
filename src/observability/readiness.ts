import type { Readiness } from './health.js';

/** What readiness reads of the database (persistence/database.ts `Database`). */
export interface ReadinessDatabase {
  ping(): Promise<void>;
  pendingMigrations(): Promise<string[]>;
}

/** Kratos's reason for a pending migration (driver/registry_default.go HealthHandler). */
export const MIGRATIONS_PENDING = 'migrations have not yet been fully applied';
export const DATABASE_DOWN = 'the database does not answer';

/**
 * The identity side's `/health/ready`, with Kratos's two checks (driver/registry_default.go
 * HealthHandler): `database` (a ping) and `migrations` (none pending; once applied, not asked
 * again, as Kratos keeps the migration status).
 *
 * Redis is deliberately not a check. With Redis unreachable every replica keeps serving: the
 * cache reads SQL and rate limits count in memory (src/cache/README.md, src/ratelimit). Redis is
 * shared, so an outage hits every replica at once; a Redis check would take every endpoint out of
 * the Service together (and, with the Kratos chart's liveness probe on /admin/health/ready,
 * restart every pod in a loop) while SQL could serve them all. The cache's state is reported
 * in the metrics instead (portcullis_cache_*, see metrics.ts).
 */
export function identityReadiness(database: ReadinessDatabase): () => Promise<Readiness> {
  let migrated = false;
  return async () => {
    const errors: Record<string, string> = {};
    try {
      await database.ping();
    } catch {
      errors.database = DATABASE_DOWN;
    }
    if (!migrated) {
      try {
        migrated = (await database.pendingMigrations()).length === 0;
        if (!migrated) errors.migrations = MIGRATIONS_PENDING;
      } catch {
        errors.migrations = MIGRATIONS_PENDING;
      }
    }
    return Object.keys(errors).length === 0 ? { ok: true } : { ok: false, errors };
  };
}
