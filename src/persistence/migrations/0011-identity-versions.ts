import { type Kysely, sql } from 'kysely';
import type { Engine } from './column-types.js';

/**
 * Optimistic concurrency for identities (the concurrency review's finding 1). Every identity row
 * gets a `version`, which each write of the identity checks against the version it read and
 * bumps (identity-store.ts `update`): a write based on an older read changes nothing, and its
 * writer reads again and re-applies its change. An integer, not `updated_at`: timestamps come
 * from each replica's clock, two writes in one millisecond share one, and their equality across
 * SQLite text and PostgreSQL timestamptz is fragile.
 *
 * The rows of an identity's credentials and addresses are also updated in place outside the
 * identity store: an address marked verified or sent (address-store.ts, from verification,
 * recovery and the one-time code delivery) and a password re-hashed at login. Each of those must
 * bump the version too, or a writer that read the identity before it would put the old row back
 * (a settings save erasing a verification that happened meanwhile). A trigger does it for every
 * such update, whichever module writes it. It fires on UPDATE only: the identity store replaces
 * those rows by DELETE and INSERT, and bumps the version itself in the same transaction.
 *
 * Lock order on PostgreSQL: such an update locks the child row, then (in the trigger) the
 * identity row. The identity store takes them in the same order (children first, see `update`
 * and `delete` there), so the two never deadlock.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .alterTable('identities')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  if (engine === 'postgres') await postgresTriggers(db);
  else await sqliteTriggers(db);
}

/** The child tables whose in-place updates change what the identity is. */
const CHILD_TABLES = [
  'identity_credentials',
  'identity_verifiable_addresses',
  'identity_recovery_addresses',
] as const;

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  // The identities table is the one beside the table that fired (TG_TABLE_SCHEMA), whatever the
  // search_path of the session that writes: schemas of other deployments (or test runs) in the
  // same database are never touched.
  await sql`
    create function identity_child_updated() returns trigger language plpgsql as $$
    begin
      execute format('update %I.identities set version = version + 1 where id = $1', tg_table_schema)
        using new.identity_id;
      return null;
    end
    $$
  `.execute(db);
  for (const table of CHILD_TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_bump_identity_version`)}
      after update on ${sql.id(table)}
      for each row execute function identity_child_updated()
    `.execute(db);
  }
}

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  for (const table of CHILD_TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_bump_identity_version`)}
      after update on ${sql.id(table)}
      for each row begin
        update identities set version = version + 1 where id = new.identity_id;
      end
    `.execute(db);
  }
}
