import { Command, Option } from 'commander';
import {
  configuredRoles,
  hasIdentityRole,
  type RunningRoles,
  type ServeRole,
  startAccessRoles,
  startRoles,
} from '../app/server.js';
import { type AccessConfig, redactConfig } from '../config/index.js';
import type { Logger } from '../kernel/logger.js';
import { createLogger } from '../kernel/logger.js';
import { configFiles, readsConfig } from './config-flag.js';
import { warnOnConfigChange } from './config-watch.js';
import { EXIT_FAILURE } from './exit-codes.js';
import {
  flagOrConfigBoolean,
  loadAccessConfigOrExit,
  loadConfigOrExit,
  loadUnvalidatedConfigOrExit,
} from './load-config.js';
import { parseRoles, ROLES_ENV } from './serve-roles.js';

interface ServeOptions {
  /** undefined: the config's `dev` key (Kratos binds --dev into the config). */
  dev?: boolean;
  sqaOptOut?: boolean;
  /** undefined: the config's `watch-courier` key, else on with --dev, off otherwise. */
  watchCourier?: boolean;
  /** undefined: every role the config enables. */
  roles?: ReadonlySet<ServeRole>;
}

/** `portcullis serve -c <file> [-c <file> ...] [--dev]`, as `kratos serve`. */
export function serveCommand(): Command {
  const serveCmd = new Command('serve')
    .description(
      'Serve every listener the config enables (public, admin, and the access proxy), or those --roles names',
    )
    .option(
      '--dev',
      'development mode: embedded SQLite, generated secrets, migrations applied, cookies without Secure (or `dev: true` in the config)',
    )
    .option(
      '--watch-courier',
      'also deliver queued email (the courier worker) in this process; on with --dev (or `watch-courier: true` in the config)',
    )
    .option('--no-watch-courier', 'do not deliver email in this process, even with --dev')
    .addOption(
      new Option(
        '--roles <list>',
        'run only these listeners, a comma list of public (4433), admin (4434), proxy (4455), api (4456); default: every one the config enables',
      )
        .env(ROLES_ENV)
        .argParser(parseRoles),
    )
    .option('--sqa-opt-out', 'accepted for compatibility with kratos serve; Portcullis sends no telemetry')
    .addHelpText(
      'after',
      [
        '',
        'Environment variables override config keys as in Kratos: DSN, SERVE_PUBLIC_PORT, SECRETS_COOKIE (CSV list), ...',
        'The config is applied at start: a changed config file is logged as a warning; restart to apply it.',
        'With Oathkeeper keys (access_rules, serve.proxy, serve.api) the access proxy (4455) and the decision API (4456) run too.',
        '',
        'Roles: --roles proxy,api runs an access-proxy fleet with no public/admin listener and no',
        'database; its check_session_url must then reach an identity deployment (--roles public,admin) over HTTP.',
        'Its config needs only the Oathkeeper keys: dsn, identity, selfservice and secrets are not required.',
      ].join('\n'),
    )
    .action(async (options: ServeOptions, command: Command) => {
      const files = configFiles(command);
      // Kratos binds --dev and --watch-courier into the config: the keys count when the flags are absent.
      const document = await loadUnvalidatedConfigOrExit(files);
      const dev = flagOrConfigBoolean(options.dev, document, 'dev') ?? false;
      const watchCourier = flagOrConfigBoolean(options.watchCourier, document, 'watch-courier');
      const roles = options.roles;
      // Without --roles, public and admin always run (and proxy, api as the config enables).
      if (roles !== undefined && !hasIdentityRole(roles)) {
        // No identity side: its keys (dsn, identity, selfservice, secrets) are not required.
        const config = await loadAccessConfigOrExit({ files, dev });
        await serve(config, files, (logger) => startAccessRoles(config, logger, roles));
      } else {
        const config = await loadConfigOrExit({ files, dev });
        await serve(config, files, (logger) =>
          startRoles(config, logger, roles ?? configuredRoles(config.document), {
            watchCourier,
          }),
        );
      }
    });
  return readsConfig(serveCmd);
}

/**
 * Logs the config's warnings, starts the roles, warns when a config file changes later (see
 * warnOnConfigChange), and stops them on SIGINT or SIGTERM.
 */
async function serve(
  config: AccessConfig,
  files: readonly string[],
  start: (logger: Logger) => Promise<RunningRoles>,
): Promise<void> {
  const logger = createLogger(config.log);
  for (const warning of config.warnings) logger.warn(warning);
  logger.debug({ config: redactConfig(config.document) }, 'configuration loaded');
  try {
    const running = await start(logger);
    warnOnConfigChange(files, logger);
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.exit(EXIT_FAILURE);
  }
}

/** As loadConfigOrExit, for a process without an identity role (see loadAccessConfig). */
