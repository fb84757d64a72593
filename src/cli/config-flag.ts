import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseCsvRecord } from '../config/csv-record.js';
import { EXIT_USAGE } from './exit-codes.js';

/**
 * `-c, --config <file>` on the root command, as Kratos's persistent config flag (ory/x configx,
 * a pflag StringSlice): one value per `-c`, repeatable, each value split on commas as one CSV
 * record (`-c a.yml,b.yml`, `-c '"a,b.yml"'`), later files overriding earlier ones. Commander
 * reads a root option before or after the subcommand, so `portcullis -c kratos.yml migrate sql -e`
 * (Kratos's quickstart) and `portcullis cleanup sql --config kratos.yml` (the Helm chart) both work.
 */
export function configOption(): Option {
  return new Option(
    '-c, --config <file>',
    'config file, YAML or JSON (repeat -c, or separate with commas; later files override earlier ones); read by serve, migrate sql, cleanup sql and courier watch',
  ).argParser(collectConfigFiles);
}

/** The argParser of {@link configOption}: appends the value's comma-separated files. */
export function collectConfigFiles(value: string, previous: string[] | undefined): string[] {
  const files = parseCsvRecord(value);
  if (files === undefined || files.length === 0)
    throw new InvalidArgumentError('expected a file path (or several, separated by commas).');
  return [...(previous ?? []), ...files];
}

const TAKES_CONFIG = new WeakSet<Command>();

/** Marks a command as one that reads the root `-c/--config` files; returns it. */
export function readsConfig(command: Command): Command {
  TAKES_CONFIG.add(command);
  return command;
}

/** The `-c/--config` files given anywhere on the command line (root option). */
export function configFiles(command: Command): string[] {
  const value: unknown = command.optsWithGlobals().config;
  return Array.isArray(value) ? value.filter((file): file is string => typeof file === 'string') : [];
}

/**
 * A preAction hook for the root command: `-c` given to a command that reads no config is a
 * usage error (Kratos's commands without the flag refuse it too), not silently ignored.
 */
export function refuseUnusedConfig(_root: Command, actionCommand: Command): void {
  if (TAKES_CONFIG.has(actionCommand) || configFiles(actionCommand).length === 0) return;
  const path: string[] = [];
  for (let c: Command | null = actionCommand; c?.parent; c = c.parent) path.unshift(c.name());
  console.error(
    `error: \`${path.join(' ')}\` reads no config file; -c/--config is for serve, migrate sql, cleanup sql and courier watch.`,
  );
  process.exit(EXIT_USAGE);
}
