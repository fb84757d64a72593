import type { Config } from '../config/index.js';
import { EXIT_USAGE } from './exit-codes.js';
import { loadConfigOrExit } from './load-config.js';

/** The flags every `… sql [<dsn>]` command takes, as Kratos's. */
export interface DsnOptions {
  readFromEnv?: boolean;
  config?: string[];
}

export interface ResolvedDatabase {
  dsn: string;
  /** The loaded config when `-c` was given (it may hold more of the command's settings). */
  config: Config | undefined;
}

/**
 * The database a command works on: the `<dsn>` argument, else `DSN` with `-e`, else the
 * config files' `dsn`. Exits with a usage error when none is given.
 */
export async function resolveDsn(
  command: string,
  dsnArgument: string | undefined,
  options: DsnOptions,
): Promise<ResolvedDatabase> {
  const config =
    options.config && options.config.length > 0
      ? await loadConfigOrExit({ files: options.config, dev: false })
      : undefined;
  if (dsnArgument) return { dsn: dsnArgument, config };
  if (options.readFromEnv) {
    const dsn = process.env.DSN;
    if (!dsn) {
      console.error(`${command} -e: the DSN environment variable is not set.`);
      process.exit(EXIT_USAGE);
    }
    return { dsn, config };
  }
  if (config) return { dsn: config.dsn, config };
  console.error(`${command}: give a <dsn>, -e to read DSN from the environment, or -c <config file>.`);
  process.exit(EXIT_USAGE);
}
