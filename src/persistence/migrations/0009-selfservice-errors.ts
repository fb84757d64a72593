import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * Errors a browser flow could not show on a flow (Kratos's `selfservice_errors`): the error
 * body as the error UI fetches it, and which browser may read it (`csrf_token` holds a hash
 * of that browser's CSRF secret). `seen_at` and `was_seen` record the first and latest read.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('selfservice_errors')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('errors', t.json, (c) => c.notNull())
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('seen_at', t.timestamp)
    .addColumn('was_seen', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  // `portcullis cleanup sql` removes errors by age.
  await db.schema
    .createIndex('selfservice_errors_created_idx')
    .on('selfservice_errors')
    .column('created_at')
    .execute();
}
