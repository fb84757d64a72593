import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { runPreparedQueriesImmediately } from './compiled-query.js';
import { type WaitForServer, waitForPostgres } from './connect-retry.js';
import type { DataSource } from './dsn.js';
import type { Engine } from './migrations/column-types.js';
import { MIGRATIONS } from './migrations/index.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { SqliteValuesPlugin } from './sqlite-values-plugin.js';
import type { Tables } from './tables.js';

export type { Engine };

/** One open database: the typed query builder plus lifecycle and migrations. */
export interface Database {
  readonly db: Kysely<Tables>;
  readonly engine: Engine;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Applies every pending migration; returns the names it applied. */
  migrate(): Promise<string[]>;
  /** Names of migrations not applied yet. */
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL schema to use (created if missing); tests use one fresh schema per run. */
  pgSchema?: string;
  /**
   * Wait (up to 5 minutes, logging each retry) for a PostgreSQL server that does not answer yet,
   * as Kratos does at start (see waitForPostgres). Without it, the first query fails at once.
   * SQLite opens a file: there is no server to wait for.
   */
  waitForServer?: WaitForServer;
}

const MIGRATION_TABLE = 'portcullis_migrations';
const MIGRATION_LOCK_TABLE = 'portcullis_migrations_lock';

export async function openDatabase(source: DataSource, options: OpenOptions = {}): Promise<Database> {
  if (source.kind === 'postgres') return openPostgres(source, options);
  return openSqlite(source.filename);
}

function openSqlite(filename: string): Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new SqliteDatabase(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const cached = withStatementCache(sqlite);
  const plugins = [new SqliteValuesPlugin()];
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: cached }), plugins });
  // Prepared queries skip the plugins' result hooks when run immediately: only while every
  // plugin is one whose results pass unchanged.
  if (plugins.every((plugin) => plugin instanceof SqliteValuesPlugin)) {
    runPreparedQueriesImmediately(db, cached.runNow);
  }
  return wrap(db, 'sqlite');
}

async function openPostgres(
  source: Extract<DataSource, { kind: 'postgres' }>,
  options: OpenOptions,
): Promise<Database> {
  if (options.waitForServer) await waitForPostgres(source.connectionString, options.waitForServer);
  const pool = new pg.Pool({
    connectionString: source.connectionString,
    max: source.poolMax,
    ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
  });
  // An idle client that loses its server would otherwise crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  if (options.pgSchema) {
    await sql`create schema if not exists ${sql.id(options.pgSchema)}`.execute(db);
  }
  return wrap(db, 'postgres', options.pgSchema);
}

function wrap(db: Kysely<Tables>, engine: Engine, pgSchema?: string): Database {
  const migrator = new Migrator({
    db,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Kysely looks for its tables in every schema unless told which: with several Portcullis
    // schemas in one database (test runs, tenants) it would find another schema's tables.
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
    provider: {
      async getMigrations(): Promise<Record<string, Migration>> {
        const out: Record<string, Migration> = {};
        for (const [name, module] of MIGRATIONS) {
          out[name] = { up: (target) => module.up(target as Kysely<unknown>, engine) };
        }
        return out;
      },
    },
  });

  return {
    db,
    engine,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async migrate() {
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    async close() {
      await db.destroy();
    },
  };
}
