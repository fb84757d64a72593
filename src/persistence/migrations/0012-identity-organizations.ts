import type { Kysely } from 'kysely';

/**
 * The organization an identity belongs to (Kratos's nullable `identities.organization_id`): set
 * by the admin API (create, batch create, JSON Patch), returned on every identity, and the filter
 * of `GET /admin/identities?organization_id=`. Text of a canonical lower-case UUID, as the ids
 * (varchar(36) on both engines), NULL for none; indexed for that filter.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identities').addColumn('organization_id', 'varchar(36)').execute();
  await db.schema
    .createIndex('identities_organization_id_idx')
    .on('identities')
    .columns(['organization_id', 'id'])
    .execute();
}
