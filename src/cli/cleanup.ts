import { Command, InvalidArgumentError } from 'commander';
import { DATABASE_CLEANUP_DEFAULTS, databaseCleanupConfig } from '../config/areas/database.js';
import { parseDuration } from '../kernel/duration.js';
import { cleanupDatabase } from '../persistence/cleanup.js';
import { openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { type DsnOptions, resolveDsn } from './resolve-dsn.js';

interface CleanupSqlOptions extends DsnOptions {
  keepLast?: number;
  batchSize?: number;
  sleepTables?: number;
}

/** `portcullis cleanup sql [<dsn>]`, as `kratos cleanup sql`: removes expired rows in batches. */
export function cleanupCommand(): Command {
  const cleanup = new Command('cleanup').description('Remove expired data from the database');
  cleanup.addCommand(
    new Command('sql')
      .description(
        'Delete expired sessions, self-service flows and one-time codes, the attempt counters of deleted ' +
          'flows, and settled web-hook deliveries, in batches. Courier messages are kept. ' +
          'Settings come from the flags, else database.cleanup in the config (-c), else Kratos’s defaults.',
      )
      .argument('[dsn]', 'postgres://…, sqlite://<path>')
      .option('-e, --read-from-env', 'read the DSN from the DSN environment variable')
      .option('-c, --config <file...>', 'config file(s) to read the dsn and database.cleanup from')
      .option(
        '--keep-last <duration>',
        'keep rows that expired less than this long ago, e.g. 6h (database.cleanup.older_than; default 0s)',
        durationOption,
      )
      .option(
        '--batch-size <n>',
        `rows per DELETE (database.cleanup.batch_size; default ${DATABASE_CLEANUP_DEFAULTS.batchSize})`,
        positiveInteger,
      )
      .option(
        '--sleep-tables <duration>',
        'pause between tables, e.g. 1m (database.cleanup.sleep.tables; default 1m)',
        durationOption,
      )
      .action(async (dsnArgument: string | undefined, options: CleanupSqlOptions) => {
        const { dsn, config } = await resolveDsn('cleanup sql', dsnArgument, options);
        const settings = config ? databaseCleanupConfig(config.document) : DATABASE_CLEANUP_DEFAULTS;
        const keepLastMs = options.keepLast ?? settings.olderThanMs;
        const database = await openDatabase(parseDsn(dsn));
        // Ctrl-C stops after the current batch; what was deleted stays deleted.
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          const pending = await database.pendingMigrations();
          if (pending.length > 0) {
            console.error(
              `cleanup sql: the database has ${pending.length} pending migration(s); run "portcullis migrate sql" first.`,
            );
            process.exitCode = EXIT_FAILURE;
            return;
          }
          const cutoff = new Date(Date.now() - keepLastMs);
          console.log(`Deleting rows that expired before ${cutoff.toISOString()}.`);
          const report = await cleanupDatabase(database.db, {
            cutoff,
            batchSize: options.batchSize ?? settings.batchSize,
            pauseBetweenTablesMs: options.sleepTables ?? settings.sleepTablesMs,
            signal: controller.signal,
            onTable: (table, deleted) => console.log(`  ${table}: ${deleted} deleted`),
          });
          const total = Object.values(report).reduce((sum, n) => sum + n, 0);
          console.log(
            controller.signal.aborted ? `Interrupted after ${total} row(s).` : `Done: ${total} row(s).`,
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          await database.close();
        }
      }),
  );
  return cleanup;
}

function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30s, 15m or 6h.');
  return ms;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}
