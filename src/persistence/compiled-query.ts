import { type Compilable, type CompiledQuery, createQueryId, type Kysely, type QueryResult } from 'kysely';
import type { Tables } from './tables.js';

/** What a prepared query's parameters may be: what the stores bind on both engines. */
export type QueryValue = string | number | boolean | Date | null;

/**
 * A query of fixed shape whose SQL is built and compiled once, per database; each call only binds
 * its values. Kysely otherwise rebuilds the operation tree, runs the plugins' transforms over it
 * and compiles it to SQL on every execution: on the login path (ten or so statements per login
 * on an in-memory SQLite) that cost more event-loop time than executing the statements.
 *
 * `build` receives one placeholder per parameter and must use each as a plain value (in `where`,
 * `values`, `set`); it runs once, here. Fixed values in the builder stay as compiled. Only for
 * queries whose shape does not depend on the values (no `in` lists of varying length).
 *
 * Values are bound as the database's plugins would have bound them (found by compiling a probe
 * query through the same database rather than by naming the dialect), so a prepared query binds
 * exactly what the builder would have bound. On SQLite that is the values as they are: the
 * statement cache converts booleans to 0/1 and Dates to ISO text for both (`withStatementCache`).
 */
export function preparedQuery<Params extends QueryValue[], Row>(
  db: Kysely<Tables>,
  build: (db: Kysely<Tables>, ...params: { [K in keyof Params]: Params[K] }) => Compilable<Row>,
  arity: Params['length'],
): (...params: Params) => Promise<QueryResult<Row>> {
  // Unique strings that cannot occur as real values: each marks where one parameter goes.
  const markers = Array.from({ length: arity }, (_, i) => `\u0000portcullis-parameter-${i}\u0000`);
  const compiled = build(db, ...(markers as unknown as Params)).compile();
  const slots = compiled.parameters.map((value) => {
    const index = typeof value === 'string' ? markers.indexOf(value) : -1;
    return index;
  });
  markers.forEach((_, i) => {
    if (!slots.includes(i)) throw new Error(`prepared query does not bind parameter ${i}: ${compiled.sql}`);
  });
  const bind = valueBinder(db);
  const runNow = immediateRunners.get(db);
  return (...params) => {
    const parameters = compiled.parameters.map((fixed, position) => {
      const slot = slots[position] ?? -1;
      return slot === -1 ? fixed : bind(params[slot] as QueryValue);
    });
    if (runNow !== undefined) {
      try {
        const result = runNow(compiled.sql, parameters);
        if (result !== undefined) return Promise.resolve(result as QueryResult<Row>);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const query: CompiledQuery<Row> = {
      query: compiled.query,
      queryId: createQueryId(),
      sql: compiled.sql,
      parameters,
    };
    return db.executeQuery(query);
  };
}

/** Runs a compiled statement at once, or answers `undefined` when it cannot (see below). */
export type ImmediateRunner = (
  sql: string,
  parameters: readonly unknown[],
) => QueryResult<unknown> | undefined;

const immediateRunners = new WeakMap<Kysely<Tables>, ImmediateRunner>();

/**
 * Lets the prepared queries of `db` (created after this call) skip Kysely's executor: SQLite,
 * where better-sqlite3 runs a statement synchronously on the one connection. Kysely's executor
 * costs a connection mutex, several promise hops and its plugins' result hooks per statement,
 * about a tenth of the login path's event-loop time with warm caches. Only for a database whose
 * plugins leave results as they are; the runner declines (and Kysely runs the query) while a
 * transaction is open, so a statement never runs inside another request's transaction. A
 * prepared query so runs on the tick it is called rather than after queries issued before it and
 * not yet awaited, which no store relies on.
 */
export function runPreparedQueriesImmediately(db: Kysely<Tables>, runner: ImmediateRunner): void {
  immediateRunners.set(db, runner);
}

const binders = new WeakMap<Kysely<Tables>, (value: QueryValue) => unknown>();

/** How `db` binds booleans and Dates, read off a compiled probe (its plugins included). */
function valueBinder(db: Kysely<Tables>): (value: QueryValue) => unknown {
  let binder = binders.get(db);
  if (binder === undefined) {
    binder = probeBinder(db);
    binders.set(db, binder);
  }
  return binder;
}

function probeBinder(db: Kysely<Tables>): (value: QueryValue) => unknown {
  const probeDate = new Date(0);
  const [date, flag] = db
    .selectFrom('sessions')
    .select('id')
    .where('expires_at', '=', probeDate)
    .where('active', '=', true)
    .compile().parameters;
  const datesAsText = typeof date === 'string';
  const flagsAsNumbers = flag === 1;
  return (value) => {
    if (value instanceof Date) return datesAsText ? value.toISOString() : value;
    if (typeof value === 'boolean') return flagsAsNumbers ? (value ? 1 : 0) : value;
    return value;
  };
}
