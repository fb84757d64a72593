import type { Database as BetterSqlite, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL cost about twice as much
 * as running it on the login path. Stores issue the same few statements over and over, so
 * prepared statements are kept per SQL text (bounded, oldest out first). Safe because the
 * driver runs one statement at a time on this single connection and better-sqlite3 executes
 * synchronously.
 */
export function withStatementCache(database: BetterSqlite, maxStatements = 256): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= maxStatements) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
