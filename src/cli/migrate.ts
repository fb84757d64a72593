import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { resolveDsn } from './resolve-dsn.js';

interface MigrateSqlOptions {
  readFromEnv?: boolean;
  yes?: boolean;
  config?: string[];
}

/** `portcullis migrate sql [<dsn>] [-e] [--yes] [-c <file>]`, as `kratos migrate sql`. */
export function migrateCommand(): Command {
  const migrate = new Command('migrate').description('Apply database migrations');
  migrate.addCommand(
    new Command('sql')
      .description(
        'Apply pending SQL migrations to the database given as <dsn>, by -e (DSN env), or by the config file',
      )
      .argument('[dsn]', 'postgres://…, sqlite://<path> or memory')
      .option('-e, --read-from-env', 'read the DSN from the DSN environment variable')
      .option('-y, --yes', 'apply without asking for confirmation')
      .option('-c, --config <file...>', 'config file(s) to read the dsn from')
      .action(async (dsnArgument: string | undefined, options: MigrateSqlOptions) => {
        const { dsn } = await resolveDsn('migrate sql', dsnArgument, options);
        const database = await openDatabase(parseDsn(dsn));
        try {
          const pending = await database.pendingMigrations();
          if (pending.length === 0) {
            console.log('The database is up to date: no migrations to apply.');
            return;
          }
          console.log(`Pending migrations:\n${pending.map((m) => `  ${m}`).join('\n')}`);
          if (!options.yes && !(await confirm('Apply these migrations?'))) {
            console.error('Aborted: no migrations were applied. Pass --yes to apply without asking.');
            process.exitCode = EXIT_FAILURE;
            return;
          }
          const applied = await database.migrate();
          console.log(`Applied ${applied.length} migration(s).`);
        } finally {
          await database.close();
        }
      }),
  );
  return migrate;
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
