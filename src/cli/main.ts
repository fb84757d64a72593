import { Command, CommanderError } from 'commander';
import { VERSION } from '../kernel/version.js';
import { cleanupCommand } from './cleanup.js';
import { configOption, refuseUnusedConfig } from './config-flag.js';
import { courierCommand } from './courier.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { hashersCommand } from './hashers.js';
import { identitiesCommand, verbFirstIdentityCommands } from './identities.js';
import { jwksCommand } from './jwks.js';
import { migrateCommand } from './migrate.js';
import { type ServeRunner, serveCommand } from './serve.js';

/** What tests replace: how a parsed `serve` runs. */
export interface ProgramOptions {
  serve?: ServeRunner;
}

/** `portcullis version`, as `kratos version` (ory/x cmdx Version): `Version:` and the version. */
export function versionCommand(): Command {
  return new Command('version').description('Show the version').action(() => {
    process.stdout.write(`Version:\t\t\t${VERSION}\n`);
  });
}

export function buildProgram(options: ProgramOptions = {}): Command {
  const program = new Command('portcullis')
    .description(
      'Identity and access platform: a Kratos-compatible identity API and an access proxy in one program.',
    )
    .version(VERSION, '-v, --version')
    // Kratos's persistent -c/--config: before or after the subcommand, for every command that reads one.
    .addOption(configOption())
    .hook('preAction', refuseUnusedConfig)
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError();
  program.addCommand(serveCommand(options.serve));
  program.addCommand(migrateCommand());
  // Kratos's current layout (import identities, list identities, get identity, delete identity) ...
  for (const command of verbFirstIdentityCommands()) program.addCommand(command);
  // ... and its older one (identities import|get|list|delete).
  program.addCommand(identitiesCommand());
  program.addCommand(courierCommand());
  program.addCommand(jwksCommand());
  program.addCommand(cleanupCommand());
  program.addCommand(hashersCommand());
  program.addCommand(versionCommand());
  // Every subcommand rejects unknown options and arguments instead of ignoring them, and its
  // help lists the options it inherits (-c, and the verb's flags of `get identity` and the like).
  const strict = (command: Command): void => {
    command.exitOverride();
    command.allowExcessArguments(false);
    command.configureHelp({ showGlobalOptions: true });
    for (const sub of command.commands) strict(sub);
  };
  strict(program);
  return program;
}

/** Runs the CLI; usage errors exit with 2, help and version with 0. */
export async function main(argv: string[], options: ProgramOptions = {}): Promise<void> {
  const program = buildProgram(options);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help';
      process.exit(ok ? EXIT_OK : EXIT_USAGE);
    }
    throw error;
  }
}
