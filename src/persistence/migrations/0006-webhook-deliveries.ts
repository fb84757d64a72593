import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * The web hook outbox: a fire-and-forget call (`response.ignore`) is a row written in the same
 * transaction as the change that caused it, delivered by a worker under a lease
 * (`lease_owner`, `lease_expires_at`) with retries, so a crash or a receiver outage loses
 * nothing. `headers` may hold the hook's credentials (api key, basic auth): they are needed
 * to deliver, so they are stored as configured and never logged. `last_error` is a short
 * reason (status or error kind), never a body.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'varchar(16)', (c) => c.notNull())
    .addColumn('headers', t.json, (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('hook_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('lease_expires_at', t.timestamp)
    .addColumn('last_error', 'varchar(255)')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  // Due lookup: queued rows past next_attempt_at and processing rows past their lease (a
  // processing row's next_attempt_at is its lease expiry), one index range for both.
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_created_idx')
    .on('webhook_deliveries')
    .columns(['created_at', 'id'])
    .execute();
}
