import { type Expression, type Kysely, sql } from 'kysely';
import type { Tables } from './tables.js';

/**
 * `kratos cleanup sql`: removes rows nothing will read again, in small batches so a large
 * backlog never holds a long lock. Kratos removes expired sessions and self-service flows;
 * we also remove what our own tables leave behind (expired one-time codes, the attempt
 * counters of flows that are gone, web-hook deliveries that reached a final state, OpenID
 * Connect sign-ins whose state expired without a callback), and, as
 * Kratos's CleanupErrors does, self-service errors created before the cutoff.
 * Courier messages stay, as in Kratos: the admin API lists them.
 */
export interface CleanupOptions {
  /** Rows whose deadline (expiry, or last change for settled rows) is before this are removed. */
  cutoff: Date;
  /** At most this many rows per DELETE (`database.cleanup.batch_size`, Kratos default 100). */
  batchSize: number;
  /** Waits this long between tables (`database.cleanup.sleep.tables`) to spread the load. */
  pauseBetweenTablesMs: number;
  /** Told after each table, e.g. to print progress. */
  onTable?: (table: CleanupTable, deleted: number) => void;
  /** Stops between batches when aborted; the rows already removed stay removed. */
  signal?: AbortSignal;
}

export type CleanupTable =
  | 'sessions'
  | 'selfservice_flows'
  | 'selfservice_codes'
  | 'selfservice_flow_attempts'
  | 'selfservice_errors'
  | 'selfservice_oidc_states'
  | 'webhook_deliveries';

export type CleanupReport = Record<CleanupTable, number>;

/** Deletes at most one batch; returns how many rows went. */
type BatchDelete = (db: Kysely<Tables>, cutoff: Date, limit: number) => Promise<number>;

/**
 * `DELETE FROM table WHERE key IN (<batch>)`: the one batched DELETE both SQLite and PostgreSQL
 * accept (neither takes `DELETE … LIMIT` in its default build).
 */
function deleteBatch<T extends CleanupTable>(
  table: T,
  key: string,
  batch: (db: Kysely<Tables>, cutoff: Date, limit: number) => Expression<unknown>,
): BatchDelete {
  return async (db, cutoff, limit) => {
    const result =
      await sql`delete from ${sql.table(table)} where ${sql.ref(key)} in (${batch(db, cutoff, limit)})`.execute(
        db,
      );
    return Number(result.numAffectedRows ?? 0n);
  };
}

// Flows go before their attempt counters, so one run removes both.
const STEPS: ReadonlyArray<readonly [CleanupTable, BatchDelete]> = [
  [
    'sessions',
    deleteBatch('sessions', 'id', (db, cutoff, limit) =>
      db.selectFrom('sessions').select('id').where('expires_at', '<', cutoff).limit(limit),
    ),
  ],
  [
    'selfservice_flows',
    deleteBatch('selfservice_flows', 'id', (db, cutoff, limit) =>
      db.selectFrom('selfservice_flows').select('id').where('expires_at', '<', cutoff).limit(limit),
    ),
  ],
  [
    'selfservice_codes',
    deleteBatch('selfservice_codes', 'id', (db, cutoff, limit) =>
      db.selectFrom('selfservice_codes').select('id').where('expires_at', '<', cutoff).limit(limit),
    ),
  ],
  [
    'selfservice_flow_attempts',
    deleteBatch('selfservice_flow_attempts', 'flow_id', (db, cutoff, limit) =>
      db
        .selectFrom('selfservice_flow_attempts as a')
        .select('a.flow_id')
        .where('a.updated_at', '<', cutoff)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('selfservice_flows as f')
                .select(sql.lit(1).as('one'))
                .whereRef('f.id', '=', 'a.flow_id'),
            ),
          ),
        )
        .limit(limit),
    ),
  ],
  [
    'selfservice_errors',
    deleteBatch('selfservice_errors', 'id', (db, cutoff, limit) =>
      db.selectFrom('selfservice_errors').select('id').where('created_at', '<', cutoff).limit(limit),
    ),
  ],
  [
    'selfservice_oidc_states',
    deleteBatch('selfservice_oidc_states', 'state_hash', (db, cutoff, limit) =>
      db
        .selectFrom('selfservice_oidc_states')
        .select('state_hash')
        .where('expires_at', '<', cutoff)
        .limit(limit),
    ),
  ],
  [
    'webhook_deliveries',
    deleteBatch('webhook_deliveries', 'id', (db, cutoff, limit) =>
      db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', 'in', ['delivered', 'abandoned'])
        .where('updated_at', '<', cutoff)
        .limit(limit),
    ),
  ],
];

export const CLEANUP_TABLES: readonly CleanupTable[] = STEPS.map(([table]) => table);

export async function cleanupDatabase(db: Kysely<Tables>, options: CleanupOptions): Promise<CleanupReport> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${options.batchSize}`);
  }
  const report = Object.fromEntries(CLEANUP_TABLES.map((t) => [t, 0])) as CleanupReport;
  for (const [index, [table, deleteBatch]] of STEPS.entries()) {
    if (index > 0 && options.pauseBetweenTablesMs > 0)
      await pause(options.pauseBetweenTablesMs, options.signal);
    for (;;) {
      if (options.signal?.aborted) return report;
      const count = await deleteBatch(db, options.cutoff, options.batchSize);
      report[table] += count;
      if (count < options.batchSize) break;
    }
    options.onTable?.(table, report[table]);
  }
  return report;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
