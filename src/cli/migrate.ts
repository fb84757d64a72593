import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { commandLogger } from '../observability/command-logger.js';
import { type Database, openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { MIGRATIONS } from '../persistence/migrations/index.js';
import { readsConfig } from './config-flag.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { FORMAT_HELP, type OutputFormat, parseOutputFormat, printTable } from './output.js';
import { type DsnOptions, resolveDsn } from './resolve-dsn.js';

interface MigrateOptions extends DsnOptions {
  yes?: boolean;
}

interface StatusOptions extends DsnOptions {
  block?: boolean;
  format?: OutputFormat;
  quiet?: boolean;
}

const DSN_ARGUMENT = 'postgres://…, sqlite://<path> or memory (default: -e, or the dsn of -c)';

/**
 * `portcullis migrate sql [up|down|status] [<dsn>] [-e] [--yes]`, as `kratos migrate sql`: `up`
 * applies the pending migrations (so does the deprecated `migrate sql <dsn>`), `status` lists
 * them, `down` is refused (Portcullis's migrations have no down steps). The database is the
 * `<dsn>` argument, else with `-e` the `dsn` key (the DSN env var, or the root `-c` files,
 * which are not validated).
 */
export function migrateCommand(): Command {
  const migrate = new Command('migrate').description('Apply database migrations');
  const sql = readsConfig(
    new Command('sql')
      .description(
        'Apply pending SQL migrations (the same as `migrate sql up`, which Kratos now prefers); `up`, `status` and `down` as subcommands',
      )
      .argument('[dsn]', DSN_ARGUMENT)
      .option(
        '-e, --read-from-env',
        'read the database from the DSN environment variable or the dsn of the config (-c)',
      )
      .option('-y, --yes', 'apply without asking for confirmation')
      .addHelpText(
        'after',
        '\nExamples:\n  portcullis -c kratos.yml migrate sql -e --yes\n  DSN=postgres://… portcullis migrate sql up -e --yes\n  portcullis migrate sql status sqlite://./data/db.sqlite',
      )
      .action(async (dsnArgument: string | undefined, _options: unknown, command: Command) => {
        await migrateUp(command, dsnArgument);
      }),
  );
  sql.addCommand(
    readsConfig(
      new Command('up')
        .description('Apply all pending SQL migrations (-e and -y/--yes as for `migrate sql`)')
        .argument('[dsn]', DSN_ARGUMENT)
        .action(async (dsnArgument: string | undefined, _options: unknown, command: Command) => {
          await migrateUp(command, dsnArgument);
        }),
    ),
  );
  sql.addCommand(
    readsConfig(
      new Command('status')
        .description('List the migrations and whether each is applied or pending (-e as for `migrate sql`)')
        .argument('[dsn]', DSN_ARGUMENT)
        .option('--block', 'wait until no migration is pending, checking every second')
        .addOption(new Option('--format <format>', FORMAT_HELP).argParser(parseOutputFormat))
        .option('-q, --quiet', 'print only the versions, one per line')
        .action(async (dsnArgument: string | undefined, _options: unknown, command: Command) => {
          await migrateStatus(command, dsnArgument);
        }),
    ),
  );
  sql.addCommand(
    readsConfig(
      new Command('down')
        .description(
          'Not supported: Portcullis migrations cannot be rolled back. Always exits with an error; restore the backup taken before `migrate sql up` instead',
        )
        .argument('[dsn]', DSN_ARGUMENT)
        .addOption(
          new Option('--steps <n>', 'the number of migrations Kratos would roll back').argParser(steps),
        )
        .action(() => {
          console.error(
            'migrate sql down: Portcullis migrations cannot be rolled back: they have no down steps, so nothing was changed. Restore the database backup taken before `migrate sql up` instead.',
          );
          process.exitCode = EXIT_FAILURE;
        }),
    ),
  );
  migrate.addCommand(sql);
  return migrate;
}

function steps(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of migrations.');
  return n;
}

/** Opens the database the command names, runs `body`, and prints failures without a stack trace. */
async function withDatabase(
  command: Command,
  dsnArgument: string | undefined,
  body: (database: Database) => Promise<void>,
): Promise<void> {
  const name = command.name() === 'sql' ? 'migrate sql' : `migrate sql ${command.name()}`;
  const { dsn, document } = await resolveDsn(
    command,
    name,
    dsnArgument,
    command.optsWithGlobals<DsnOptions>(),
  );
  let database: Database;
  try {
    // As Kratos's driver Init, which every `migrate sql` runs: a PostgreSQL server that does not
    // answer yet is retried for up to 5 minutes (an init container started beside its database).
    database = await openDatabase(parseDsn(dsn), { waitForServer: { logger: commandLogger(document) } });
  } catch (error) {
    console.error(`${name}: could not open the database: ${messageOf(error)}`);
    process.exitCode = EXIT_FAILURE;
    return;
  }
  try {
    await body(database);
  } catch (error) {
    console.error(`${name}: ${messageOf(error)}`);
    process.exitCode = EXIT_FAILURE;
  } finally {
    await database.close().catch(() => {});
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function migrateUp(command: Command, dsnArgument: string | undefined): Promise<void> {
  const options = command.optsWithGlobals<MigrateOptions>();
  await withDatabase(command, dsnArgument, async (database) => {
    const pending = await database.pendingMigrations();
    if (pending.length === 0) {
      console.log('The database is up to date: no migrations to apply.');
      return;
    }
    console.log('The migration plan is as follows:');
    printTable(statusTable(new Set(pending)), {});
    if (!options.yes && !(await confirm('Do you wish to execute this migration plan?'))) {
      console.error('Aborted: no migrations were applied. Pass --yes to apply without asking.');
      process.exitCode = EXIT_FAILURE;
      return;
    }
    const applied = await database.migrate();
    console.log(`Applied ${applied.length} migration(s).`);
  });
}

async function migrateStatus(command: Command, dsnArgument: string | undefined): Promise<void> {
  const options = command.optsWithGlobals<StatusOptions>();
  await withDatabase(command, dsnArgument, async (database) => {
    let pending = await database.pendingMigrations();
    while (options.block && pending.length > 0) {
      console.log(`Waiting for migrations to finish...\n${pending.map((m) => ` - ${m}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      pending = await database.pendingMigrations();
    }
    printTable(statusTable(new Set(pending)), options);
  });
}

/** popx.MigrationStatuses: Version, Name, Status (Applied or Pending), in order. */
function statusTable(pending: ReadonlySet<string>) {
  const statuses = MIGRATIONS.map(([migration]) => {
    const dash = migration.indexOf('-');
    return {
      state: pending.has(migration) ? 'Pending' : 'Applied',
      version: dash < 0 ? migration : migration.slice(0, dash),
      name: dash < 0 ? migration : migration.slice(dash + 1),
    };
  });
  return {
    header: ['Version', 'Name', 'Status'],
    rows: statuses.map((s) => [s.version, s.name, s.state]),
    ids: statuses.map((s) => s.version),
    value: statuses,
  };
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
