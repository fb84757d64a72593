import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../database.js';
import { parseDsn } from '../dsn.js';

/**
 * The engines every store contract suite runs against: SQLite always, PostgreSQL whenever
 * DATABASE_URL is set (CI sets it). Each call opens a fresh, migrated database; PostgreSQL
 * gets its own schema so concurrent runs never see each other's rows.
 */
export interface TestEngine {
  name: 'sqlite' | 'postgres';
  open(): Promise<Database & { drop(): Promise<void> }>;
}

export function testEngines(): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'sqlite', open: openSqliteForTest }];
  const url = process.env.DATABASE_URL;
  if (url) engines.push({ name: 'postgres', open: () => openPostgresForTest(url) });
  return engines;
}

async function openSqliteForTest(): Promise<Database & { drop(): Promise<void> }> {
  const database = await openDatabase({ kind: 'sqlite', filename: ':memory:' });
  await database.migrate();
  return Object.assign(database, { drop: () => database.close() });
}

async function openPostgresForTest(url: string): Promise<Database & { drop(): Promise<void> }> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase(parseDsn(url), { pgSchema: schema });
  await database.migrate();
  return Object.assign(database, {
    async drop() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  });
}
