/**
 * What a Portcullis bench child stores into: a fresh PostgreSQL database beside DATABASE_URL's
 * (else `dsn: memory`), a key prefix of its own in REDIS_URL's Redis (else no Redis), and a
 * temporary directory for its config. Each is undone by a step pushed onto `cleanups`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from './postgres.js';
import { deleteKeys } from './redis-keys.js';

/**
 * @typedef {object} ChildStorage
 * @property {string} dsn
 * @property {{ url: string, key_prefix: string } | undefined} redis
 * @property {string} dir  the temporary directory
 * @property {string} store  the store, as the bench's tables name it
 * @property {string} cache  the session cache, likewise
 */

/**
 * @param {Array<() => Promise<unknown>>} cleanups
 * @param {string} dirPrefix
 * @returns {Promise<ChildStorage>}
 */
export async function prepareChildStorage(cleanups, dirPrefix) {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  let dsn = 'memory';
  if (databaseUrl) {
    const database = await freshPostgresDatabase(databaseUrl);
    cleanups.push(database.drop);
    dsn = database.dsn;
  }
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  let redis;
  if (redisUrl) {
    redis = { url: redisUrl, key_prefix: `portcullis-bench-${randomBytes(6).toString('hex')}:` };
    const { key_prefix } = redis;
    cleanups.push(() => deleteKeys(redisUrl, key_prefix));
  }
  return {
    dsn,
    redis,
    dir,
    store: databaseUrl ? `PostgreSQL (fresh database at ${new URL(databaseUrl).host})` : 'SQLite in memory',
    cache: redisUrl ? `in-process LRU in front of Redis at ${new URL(redisUrl).host}` : 'in-process LRU',
  };
}
