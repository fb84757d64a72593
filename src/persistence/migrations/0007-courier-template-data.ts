import type { Kysely } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

/**
 * A message's template variables, kept beside its rendered subject and bodies: HTTP delivery
 * hands them to the body template as Kratos's `ctx.template_data`.
 */
export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema.alterTable('courier_messages').addColumn('template_data', t.json).execute();
}
