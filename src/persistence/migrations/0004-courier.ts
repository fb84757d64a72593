import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * The courier's outbox: a message is written in the same transaction as the change that
 * caused it, and a worker delivers it under a lease (`lease_owner`, `lease_expires_at`), so a
 * crash mid-send loses nothing. Every delivery attempt is kept as a dispatch, as in Kratos.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('courier_messages')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text')
    .addColumn('template_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('channel', 'varchar(32)')
    .addColumn('send_count', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('lease_expires_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('courier_messages_due_idx')
    .on('courier_messages')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('courier_messages_recipient_idx')
    .on('courier_messages')
    .columns(['recipient', 'created_at'])
    .execute();
  await db.schema
    .createIndex('courier_messages_created_idx')
    .on('courier_messages')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createTable('courier_message_dispatches')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('message_id', 'varchar(36)', (c) =>
      c.notNull().references('courier_messages.id').onDelete('cascade'),
    )
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('error', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('courier_message_dispatches_message_idx')
    .on('courier_message_dispatches')
    .columns(['message_id', 'created_at'])
    .execute();
}
