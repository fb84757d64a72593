import type { Command } from 'commander';
import type { JsonObject } from '../config/index.js';
import { configFiles } from './config-flag.js';
import { EXIT_USAGE } from './exit-codes.js';
import { loadUnvalidatedConfigOrExit } from './load-config.js';

/** The flags every `… sql [<dsn>]` command takes, as Kratos's. */
export interface DsnOptions {
  readFromEnv?: boolean;
}

export interface ResolvedDatabase {
  dsn: string;
  /**
   * The config files (root `-c`) and env vars, merged but not validated, as Kratos's
   * `configx.SkipValidation()`: the command's other settings (database.cleanup, ...) are in it.
   */
  document: JsonObject;
}

/**
 * The database a `… sql` command works on, as Kratos's getPersister: the `<dsn>` argument, else
 * (with `-e`, or always when `readFromEnvByDefault`) the `dsn` key of the config, that is the
 * `DSN` env var or the `-c` files' `dsn`. The config is not validated: a file with only `dsn`
 * (or no file, with `DSN` set) is enough. Without `-e`, the config's `dsn` is still used when
 * `-c` names files (a Portcullis convenience; Kratos then wants the argument). Exits with a
 * usage error when no database is named.
 */
export async function resolveDsn(
  command: Command,
  name: string,
  dsnArgument: string | undefined,
  options: DsnOptions,
  readFromEnvByDefault = false,
): Promise<ResolvedDatabase> {
  const files = configFiles(command);
  const document = await loadUnvalidatedConfigOrExit(files);
  if (dsnArgument) return { dsn: dsnArgument, document };
  const configured = typeof document.dsn === 'string' && document.dsn !== '' ? document.dsn : undefined;
  if (configured !== undefined && (options.readFromEnv || readFromEnvByDefault || files.length > 0))
    return { dsn: configured, document };
  if (options.readFromEnv || readFromEnvByDefault) {
    console.error(
      `${name}: no database: the DSN environment variable is not set${files.length > 0 ? ' and the config has no dsn' : ''}; give a <dsn>, set DSN, or -c <config file> with dsn.`,
    );
  } else {
    console.error(`${name}: give a <dsn>, -e to read DSN from the environment, or -c <config file>.`);
  }
  process.exit(EXIT_USAGE);
}
