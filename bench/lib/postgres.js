import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A new, empty PostgreSQL database beside DATABASE_URL's, so that the identities a bench run
 * creates never land in a database someone uses, and are dropped afterwards.
 *
 * @param {string} url
 * @returns {Promise<{ dsn: string, drop: () => Promise<void> }>}
 */
export async function freshPostgresDatabase(url) {
  const name = `portcullis_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const dsn = new URL(url);
  dsn.pathname = `/${name}`;
  return {
    dsn: dsn.toString(),
    drop: () => adminQuery(url, `drop database if exists ${name} with (force)`),
  };
}

/**
 * @param {string} url
 * @param {string} sql
 */
async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
