import type { Kysely } from 'kysely';
import type { Engine } from './column-types.js';

/**
 * Session lists are newest first, as Kratos's (created_at, then id, descending): an index in
 * that order keeps `GET /admin/sessions` a range scan however many sessions there are. A list by
 * identity uses `sessions_identity_idx` and sorts that identity's few sessions.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema.createIndex('sessions_created_idx').on('sessions').columns(['created_at', 'id']).execute();
}
