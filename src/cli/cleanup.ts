import { Command, InvalidArgumentError, Option } from 'commander';
import { DATABASE_CLEANUP_DEFAULTS, databaseCleanupConfig } from '../config/areas/database.js';
import type { KratosConfigDocument } from '../config/index.js';
import { parseDuration } from '../kernel/duration.js';
import { commandLogger } from '../observability/command-logger.js';
import { cleanupDatabase } from '../persistence/cleanup.js';
import { type Database, openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { readsConfig } from './config-flag.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { type DsnOptions, resolveDsn } from './resolve-dsn.js';

interface CleanupSqlOptions extends DsnOptions {
  keepLast?: number;
  'database.cleanup.batch_size'?: number;
  batchSize?: number;
  'database.cleanup.sleep.tables'?: number;
  sleepTables?: number;
}

/**
 * `portcullis cleanup sql [<dsn>]`, as `kratos cleanup sql`: removes expired rows in batches.
 * Kratos's flags (`-e` on by default, `--keep-last`, `-b/--database.cleanup.batch_size`,
 * `--database.cleanup.sleep.tables`) and a config that is not validated, so the Helm chart's
 * CronJob (`cleanup sql --database.cleanup.batch_size 100 --database.cleanup.sleep.tables 1m0s
 * --keep-last 6h0m0s --config kratos.yaml`, with `DSN` in the env) runs as it is.
 */
export function cleanupCommand(): Command {
  const cleanup = new Command('cleanup').description('Remove expired data from the database');
  cleanup.addCommand(
    readsConfig(
      new Command('sql')
        .description(
          'Delete expired sessions, self-service flows and one-time codes, the attempt counters of deleted ' +
            'flows, and settled web-hook deliveries, in batches. Courier messages are kept. ' +
            'Settings come from the flags, else database.cleanup in the config (-c, not validated) and ' +
            'its env vars, else Kratos’s defaults.',
        )
        .argument('[dsn]', 'postgres://…, sqlite://<path> (default: the DSN env var, or the dsn of -c)')
        .option(
          '-e, --read-from-env',
          'read the database from the DSN environment variable or the dsn of the config (the default, as in Kratos)',
        )
        .option(
          '--keep-last <duration>',
          'keep rows that expired less than this long ago, e.g. 6h (database.cleanup.older_than; default 0s)',
          durationOption,
        )
        .addOption(
          new Option(
            '-b, --database.cleanup.batch_size <n>',
            `rows per DELETE (default ${DATABASE_CLEANUP_DEFAULTS.batchSize})`,
          ).argParser(positiveInteger),
        )
        .addOption(
          new Option('--batch-size <n>', 'the same as --database.cleanup.batch_size')
            .argParser(positiveInteger)
            .conflicts('database.cleanup.batch_size'),
        )
        .addOption(
          new Option(
            '--database.cleanup.sleep.tables <duration>',
            'pause between tables, e.g. 1m (default 1m)',
          ).argParser(durationOption),
        )
        .addOption(
          new Option('--sleep-tables <duration>', 'the same as --database.cleanup.sleep.tables')
            .argParser(durationOption)
            .conflicts('database.cleanup.sleep.tables'),
        )
        .action(async (dsnArgument: string | undefined, _options: unknown, command: Command) => {
          const options = command.optsWithGlobals<CleanupSqlOptions>();
          const { dsn, document } = await resolveDsn(command, 'cleanup sql', dsnArgument, options, true);
          // Read defensively: the document was not validated (databaseCleanupConfig checks each type).
          const settings = databaseCleanupConfig(document as KratosConfigDocument);
          const keepLastMs = options.keepLast ?? settings.olderThanMs;
          const batchSize = options['database.cleanup.batch_size'] ?? options.batchSize ?? settings.batchSize;
          const pauseMs =
            options['database.cleanup.sleep.tables'] ?? options.sleepTables ?? settings.sleepTablesMs;
          let database: Database;
          try {
            // As Kratos's driver Init: a PostgreSQL server that does not answer yet is retried
            // for up to 5 minutes (a CronJob pod scheduled while the database restarts).
            database = await openDatabase(parseDsn(dsn), {
              waitForServer: { logger: commandLogger(document) },
            });
          } catch (error) {
            console.error(`cleanup sql: could not open the database: ${messageOf(error)}`);
            process.exitCode = EXIT_FAILURE;
            return;
          }
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
              batchSize,
              pauseBetweenTablesMs: pauseMs,
              signal: controller.signal,
              onTable: (table, deleted) => console.log(`  ${table}: ${deleted} deleted`),
            });
            const total = Object.values(report).reduce((sum, n) => sum + n, 0);
            console.log(
              controller.signal.aborted ? `Interrupted after ${total} row(s).` : `Done: ${total} row(s).`,
            );
          } catch (error) {
            console.error(`cleanup sql: ${messageOf(error)}`);
            process.exitCode = EXIT_FAILURE;
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            await database.close().catch(() => {});
          }
        }),
    ),
  );
  return cleanup;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Go duration as Kratos's flags take it (`6h`, `1m0s`); `0` alone means none, as in Go. */
function durationOption(value: string): number {
  const ms = value === '0' ? 0 : parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30s, 15m or 6h.');
  return ms;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}
