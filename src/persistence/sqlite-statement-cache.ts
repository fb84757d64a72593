import type { Database as BetterSqlite, Statement } from 'better-sqlite3';
import type { QueryResult, SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The database Kysely's SQLite driver is given, with two additions:
 *
 * - **Prepared statements kept per SQL text** (bounded, oldest out first). Kysely's driver
 *   prepares every query anew; compiling the SQL cost about twice as much as running it on the
 *   login path, and stores issue the same few statements over and over. Safe because the driver
 *   runs one statement at a time on this single connection and better-sqlite3 executes
 *   synchronously.
 * - **Values converted where they are bound.** better-sqlite3 binds only numbers, strings,
 *   bigints, buffers and null; stores bind the same JS values on both engines, so booleans
 *   become 0/1 and Dates ISO strings here, on the flat parameter list of each execution, rather
 *   than by rebuilding every query's operation tree (see `SqliteValuesPlugin`).
 */
export function withStatementCache(database: BetterSqlite, maxStatements = 256): CachedSqlite {
  const statements = new Map<string, SqliteStatement>();

  function prepare(sql: string): SqliteStatement {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = convertingValues(database.prepare(sql));
      if (statements.size >= maxStatements) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      statements.set(sql, statement);
    }
    return statement;
  }

  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare,
    runNow(sql, parameters) {
      if (database.inTransaction) return undefined;
      // As Kysely's SQLite connection executes a query, result shape included.
      const statement = prepare(sql);
      if (statement.reader) return { rows: statement.all(parameters) };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
  };
}

/** The statement cache, plus a way to run a statement without going through Kysely. */
export interface CachedSqlite extends SqliteDatabase {
  /**
   * Runs one statement now, on the calling tick, as Kysely's driver would; `undefined` (nothing
   * run) while a transaction is open on the connection, whose statements must not mix with
   * others: the caller then goes through Kysely, which waits for the transaction to end.
   * Throws what better-sqlite3 throws.
   */
  runNow(sql: string, parameters: readonly unknown[]): QueryResult<unknown> | undefined;
}

/** How a value is bound into SQLite: booleans as 0/1, Dates as ISO text, the rest as they are. */
export function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** `parameters` with booleans and Dates converted; the same array when none needs it. */
function sqliteParameters(parameters: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (typeof value === 'boolean' || value instanceof Date) return parameters.map(toSqliteValue);
  }
  return parameters;
}

function convertingValues(statement: Statement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => statement.all(sqliteParameters(parameters)),
    run: (parameters) => statement.run(sqliteParameters(parameters)),
    iterate: (parameters) => statement.iterate(sqliteParameters(parameters)),
  };
}
