import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../persistence/database.js';
import { testEngines } from '../persistence/testing/engines.js';
import { DATABASE_DOWN, identityReadiness, MIGRATIONS_PENDING } from './readiness.js';

/** Kysely's record of applied migrations (persistence/database.ts MIGRATION_TABLE). */
const MIGRATION_TABLE = 'portcullis_migrations';

/**
 * The newest migration put back to pending, as on a database one release behind the binary (a
 * deploy whose `migrate sql` has not run yet); the returned function applies it again.
 */
async function newestMigrationPending(database: Database): Promise<() => Promise<void>> {
  const { rows } = await sql<{ name: string; timestamp: string }>`
    select name, timestamp from ${sql.table(MIGRATION_TABLE)} order by name desc limit 1`.execute(
    database.db,
  );
  const [newest] = rows;
  if (!newest) throw new Error('no migration applied');
  await sql`delete from ${sql.table(MIGRATION_TABLE)} where name = ${newest.name}`.execute(database.db);
  expect(await database.pendingMigrations()).toEqual([newest.name]);
  return async () => {
    await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp)
      values (${newest.name}, ${newest.timestamp})`.execute(database.db);
  };
}

/**
 * Readiness against the real stores: SQLite always, PostgreSQL when DATABASE_URL is set. A
 * database "goes away" by being dropped and closed (its pool destroyed), after which every query
 * fails, as when the server is gone.
 */
describe.each(testEngines())('identity readiness ($name)', (engine) => {
  /** A fresh, migrated database for `body`, gone (dropped, closed) once `goAway` is called or `body` ends. */
  async function withDatabase(body: (database: Database, goAway: () => Promise<void>) => Promise<void>) {
    const database = await engine.open();
    let gone = false;
    const goAway = async () => {
      gone = true;
      await database.drop();
    };
    try {
      await body(database, goAway);
    } finally {
      if (!gone) await database.drop();
    }
  }

  it("names Kratos's checks: migrations pending, then the database down", async () => {
    await withDatabase(async (database, goAway) => {
      const apply = await newestMigrationPending(database);
      const ready = identityReadiness(database);
      expect(await ready()).toEqual({ ok: false, errors: { migrations: MIGRATIONS_PENDING } });
      await apply();
      expect(await ready()).toEqual({ ok: true });
      await goAway();
      expect(await ready()).toEqual({ ok: false, errors: { database: DATABASE_DOWN } });
    });
  });

  it('asks for the migration status only until it is complete, as Kratos keeps it', async () => {
    await withDatabase(async (database) => {
      const ready = identityReadiness(database);
      expect(await ready()).toEqual({ ok: true });
      // A migration pending now goes unseen: the status was read once, when complete.
      await newestMigrationPending(database);
      expect(await ready()).toEqual({ ok: true });
      // A readiness that had not yet seen it complete reads it.
      expect(await identityReadiness(database)()).toEqual({
        ok: false,
        errors: { migrations: MIGRATIONS_PENDING },
      });
    });
  });

  it('reports both checks when the database is down from the start', async () => {
    await withDatabase(async (database, goAway) => {
      await goAway();
      expect(await identityReadiness(database)()).toEqual({
        ok: false,
        errors: { database: DATABASE_DOWN, migrations: MIGRATIONS_PENDING },
      });
    });
  });
});
