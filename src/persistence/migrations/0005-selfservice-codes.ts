import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * One-time secrets of the verification and recovery flows — 6-digit codes and link tokens —
 * stored only as keyed hashes. `used_at` makes them single-use: consuming one is a conditional
 * update that exactly one of many parallel submissions wins.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('selfservice_codes')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('flow_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('method', 'varchar(8)', (c) => c.notNull())
    .addColumn('flow_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('selfservice_codes_flow_idx')
    .on('selfservice_codes')
    .columns(['flow_id', 'code_hash'])
    .execute();
  await db.schema
    .createIndex('selfservice_codes_expires_idx')
    .on('selfservice_codes')
    .column('expires_at')
    .execute();
  // Submissions per flow, counted atomically (an upsert), so parallel guesses cannot
  // exceed `max_submissions` by racing a read-modify-write of the flow.
  await db.schema
    .createTable('selfservice_flow_attempts')
    .addColumn('flow_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
}
