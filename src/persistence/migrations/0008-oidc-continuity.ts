import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * What a sign-in with an OpenID provider must remember between the redirect to the provider and
 * its callback: the flow it belongs to, the browser that started it (a hash of a cookie), the PKCE
 * verifier and the nonce. The row is found by a hash of the `state` parameter and deleted when
 * read (`DELETE ... RETURNING`), so a state works once, however many callbacks race for it.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('selfservice_oidc_states')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('flow_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('flow_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('provider', 'varchar(255)', (c) => c.notNull())
    .addColumn('browser_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('pkce_verifier', 'varchar(128)')
    .addColumn('nonce', 'varchar(128)')
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('selfservice_oidc_states_expires_idx')
    .on('selfservice_oidc_states')
    .column('expires_at')
    .execute();
}
