import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The DSNs a whole-server test runs against: embedded always, PostgreSQL when DATABASE_URL is set. */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  create(): Promise<{ dsn: string; drop(): Promise<void> }>;
}

export function testDatabases(): TestDatabase[] {
  const out: TestDatabase[] = [
    { name: 'sqlite', create: async () => ({ dsn: 'memory', drop: async () => {} }) },
  ];
  const url = process.env.DATABASE_URL;
  if (url) out.push({ name: 'postgres', create: () => freshPostgresDatabase(url) });
  return out;
}

/** A new, empty PostgreSQL database beside DATABASE_URL's, so runs never collide. */
async function freshPostgresDatabase(url: string): Promise<{ dsn: string; drop(): Promise<void> }> {
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const dsn = new URL(url);
  dsn.pathname = `/${name}`;
  return {
    dsn: dsn.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
