import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/** Sessions, looked up by the keyed hash of their token. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('logout_token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('active', t.bool, (c) => c.notNull())
    .addColumn('aal', 'varchar(8)', (c) => c.notNull())
    .addColumn('authentication_methods', t.json, (c) => c.notNull())
    .addColumn('devices', t.json, (c) => c.notNull())
    .addColumn('issued_at', t.timestamp, (c) => c.notNull())
    .addColumn('authenticated_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sessions_identity_idx')
    .on('sessions')
    .columns(['identity_id', 'id'])
    .execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
}
