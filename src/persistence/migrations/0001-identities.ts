import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/** Identities with their credentials, login identifiers and addresses. */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);

  await db.schema
    .createTable('identities')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('schema_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('traits', t.json, (c) => c.notNull())
    .addColumn('state', 'varchar(32)', (c) => c.notNull())
    .addColumn('state_changed_at', t.timestamp)
    .addColumn('metadata_public', t.json)
    .addColumn('metadata_admin', t.json)
    .addColumn('external_id', 'varchar(255)', (c) => c.unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_credentials')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('config', t.json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('identity_credentials_identity_type_uq', ['identity_id', 'type'])
    .execute();

  await db.schema
    .createTable('identity_credential_identifiers')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('credential_id', 'varchar(36)', (c) =>
      c.notNull().references('identity_credentials.id').onDelete('cascade'),
    )
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('identifier', 'varchar(1024)', (c) => c.notNull())
    // One identifier answers for one identity per credential type: this is what makes
    // "an account with this email already exists" a constraint, not a race.
    .addUniqueConstraint('identity_credential_identifiers_type_identifier_uq', ['type', 'identifier'])
    .execute();
  await db.schema
    .createIndex('identity_credential_identifiers_identity_idx')
    .on('identity_credential_identifiers')
    .column('identity_id')
    .execute();

  await db.schema
    .createTable('identity_verifiable_addresses')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'varchar(1024)', (c) => c.notNull())
    .addColumn('verified', t.bool, (c) => c.notNull())
    .addColumn('verified_at', t.timestamp)
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('identity_verifiable_addresses_via_value_uq', ['via', 'value'])
    .execute();
  await db.schema
    .createIndex('identity_verifiable_addresses_identity_idx')
    .on('identity_verifiable_addresses')
    .column('identity_id')
    .execute();

  await db.schema
    .createTable('identity_recovery_addresses')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('identity_id', 'varchar(36)', (c) =>
      c.notNull().references('identities.id').onDelete('cascade'),
    )
    .addColumn('via', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'varchar(1024)', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('identity_recovery_addresses_via_value_uq', ['via', 'value'])
    .execute();
  await db.schema
    .createIndex('identity_recovery_addresses_identity_idx')
    .on('identity_recovery_addresses')
    .column('identity_id')
    .execute();
}
