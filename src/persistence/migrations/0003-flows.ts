import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/** Self-service flows of every kind in one table; the UI container is stored as shown. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('selfservice_flows')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('type', 'varchar(8)', (c) => c.notNull())
    .addColumn('state', 'varchar(32)', (c) => c.notNull())
    .addColumn('request_url', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('active', 'varchar(32)')
    .addColumn('ui', t.json, (c) => c.notNull())
    .addColumn('refresh', t.bool, (c) => c.notNull())
    .addColumn('requested_aal', 'varchar(8)', (c) => c.notNull())
    .addColumn('internal', t.json, (c) => c.notNull())
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('selfservice_flows_expires_idx')
    .on('selfservice_flows')
    .column('expires_at')
    .execute();
}
