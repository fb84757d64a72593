import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedQuery } from './compiled-query.js';
import type { Database } from './database.js';
import type { Tables } from './tables.js';
import { testEngines } from './testing/engines.js';
import { flowRowFixture } from './testing/flow-fixtures.js';

describe.each(testEngines())('preparedQuery ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };

  beforeAll(async () => {
    database = await engine.open();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('binds each call its own values, as the query builder would', async () => {
    const { db } = database;
    const insert = flowInsert(db);
    const select = preparedQuery<[string, boolean], { id: string }>(
      db,
      (q, id, refresh) =>
        q.selectFrom('selfservice_flows').select('id').where('id', '=', id).where('refresh', '=', refresh),
      2,
    );
    const at = new Date('2026-01-02T03:04:05.678Z');
    const [a, b] = [randomUUID(), randomUUID()];
    await insert(a, true, at);
    await insert(b, false, at);
    expect((await select(a, true)).rows).toEqual([{ id: a }]);
    expect((await select(b, true)).rows).toEqual([]);
    expect((await select(b, false)).rows).toEqual([{ id: b }]);
    // The builder reads back what the prepared insert wrote, dates included.
    const built = await db
      .selectFrom('selfservice_flows')
      .select('id')
      .where('expires_at', '=', at)
      .where('refresh', '=', true)
      .execute();
    expect(built).toEqual([{ id: a }]);
  });

  it('never runs inside a transaction another caller has open', async () => {
    const { db } = database;
    const insert = flowInsert(db);
    const at = new Date();
    const [inside, outside] = [randomUUID(), randomUUID()];
    let outsideWrite: Promise<unknown> | undefined;
    const rolledBack = db.transaction().execute(async (trx) => {
      await flowInsert(trx)(inside, false, at);
      // Another request's write while this transaction is open: it must not join it.
      outsideWrite = insert(outside, false, at);
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    await outsideWrite;
    const ids = await db
      .selectFrom('selfservice_flows')
      .select('id')
      .where('id', 'in', [inside, outside])
      .execute();
    expect(ids).toEqual([{ id: outside }]);
  });

  it('rejects (never throws) when the statement fails', async () => {
    const insert = flowInsert(database.db);
    const id = randomUUID();
    await insert(id, false, new Date());
    const again = insert(id, false, new Date());
    await expect(again).rejects.toThrow();
  });

  it('refuses a builder that does not bind every parameter', () => {
    expect(() =>
      preparedQuery<[string], { id: string }>(database.db, (q) => q.selectFrom('sessions').select('id'), 1),
    ).toThrow(/does not bind parameter 0/);
  });
});

/** A prepared insert of a minimal login flow: id, refresh, and one date for every timestamp. */
function flowInsert(db: Kysely<Tables>) {
  return preparedQuery<[string, boolean, Date], never>(
    db,
    (q, id, refresh, at) =>
      q
        .insertInto('selfservice_flows')
        .values(
          flowRowFixture({ id, refresh, issued_at: at, expires_at: at, created_at: at, updated_at: at }),
        ),
    3,
  );
}
