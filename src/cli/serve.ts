import { Argument, Command, InvalidArgumentError, Option } from 'commander';
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
import { parseRoles, ROLES_ENV, SERVE_ROLES } from './serve-roles.js';

/** What `portcullis serve` was asked to run, as parsed from its command line. */
export interface ServeRequest {
  /** The `-c/--config` files. */
  files: string[];
  /** undefined: the config's `dev` key (Kratos binds --dev into the config). */
  dev: boolean | undefined;
  /** undefined: the config's `watch-courier` key, else on with --dev, off otherwise. */
  watchCourier: boolean | undefined;
  /** undefined: every role the config enables. */
  roles: ReadonlySet<ServeRole> | undefined;
}

/** Runs a parsed `serve` (the default keeps the listeners up until SIGINT or SIGTERM). */
export type ServeRunner = (request: ServeRequest) => Promise<void>;

interface ServeOptions {
  /** undefined: the config's `dev` key (Kratos binds --dev into the config). */
  dev?: boolean;
  sqaOptOut?: boolean;
  /** undefined: the config's `watch-courier` key, else on with --dev, off otherwise. */
  watchCourier?: boolean;
  /** undefined: every role the config enables. */
  roles?: ReadonlySet<ServeRole>;
}

/** The one word `serve` takes: `all`, what the Kratos Helm chart runs (`kratos serve all`). */
export const SERVE_ALL = 'all';

/**
 * The optional word after `serve`. Kratos's serve command declares no arguments and cobra ignores
 * extra words, so the Kratos Helm chart's `kratos serve all` runs everything; `all` is accepted
 * as that. Any other word is refused rather than ignored: `serve public` running every role
 * would surprise (Kratos has no `serve public`); --roles chooses listeners.
 */
export function parseServeWhat(word: string): string {
  if (word === SERVE_ALL) return word;
  const role = SERVE_ROLES.find((known) => known === word.toLowerCase());
  throw new InvalidArgumentError(
    role === undefined
      ? `the only word serve takes is "${SERVE_ALL}" (as \`kratos serve all\`).`
      : `serve takes no role name; run \`serve --roles ${role}\` to run the ${role} listener only.`,
  );
}

/** `portcullis serve [all] -c <file> [-c <file> ...] [--dev]`, as `kratos serve`. */
export function serveCommand(run: ServeRunner = serveUntilStopped): Command {
  const serveCmd = new Command('serve')
    .description(
      'Serve every listener the config enables (public, admin, and the access proxy), or those --roles names',
    )
    .addArgument(
      new Argument(
        '[all]',
        'accepted and ignored, for `kratos serve all` (what the Kratos Helm chart runs): every role the config enables',
      ).argParser(parseServeWhat),
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
        '`serve all` is `serve` (the Kratos Helm chart runs `kratos serve all`); --roles chooses listeners.',
        'Environment variables override config keys as in Kratos: DSN, SERVE_PUBLIC_PORT, SECRETS_COOKIE (CSV list), ...',
        'The config is applied at start: a changed config file is logged as a warning; restart to apply it.',
        'With Oathkeeper keys (access_rules, serve.proxy, serve.api) the access proxy (4455) and the decision API (4456) run too.',
        'Health and metrics: /health/alive, /health/ready, /version and /metrics/prometheus on the admin listener, with and',
        'without /admin; with serve.prometheus in the config, the proxy roles serve their metrics on that port (9000).',
        '',
        'Roles: --roles proxy,api runs an access-proxy fleet with no public/admin listener and no',
        'database; its check_session_url must then reach an identity deployment (--roles public,admin) over HTTP.',
        'Its config needs only the Oathkeeper keys: dsn, identity, selfservice and secrets are not required.',
      ].join('\n'),
    )
    .action(async (_what: string | undefined, options: ServeOptions, command: Command) => {
      await run({
        files: configFiles(command),
        dev: options.dev,
        watchCourier: options.watchCourier,
        roles: options.roles,
      });
    });
  return readsConfig(serveCmd);
}

/** A `serve` ready to start: its config loaded and checked, and what starts its roles. */
export interface LoadedServe {
  config: AccessConfig;
  files: readonly string[];
  start(logger: Logger): Promise<RunningRoles>;
}

/**
 * Loads the config a `serve` request names (exiting with the config's problems if it is
 * invalid) and resolves which roles run.
 */
export async function loadServe(request: ServeRequest): Promise<LoadedServe> {
  const { files } = request;
  // Kratos binds --dev and --watch-courier into the config: the keys count when the flags are absent.
  const document = await loadUnvalidatedConfigOrExit(files);
  const dev = flagOrConfigBoolean(request.dev, document, 'dev') ?? false;
  const watchCourier = flagOrConfigBoolean(request.watchCourier, document, 'watch-courier');
  const roles = request.roles;
  // Without --roles, public and admin always run (and proxy, api as the config enables).
  if (roles !== undefined && !hasIdentityRole(roles)) {
    // No identity side: its keys (dsn, identity, selfservice, secrets) are not required.
    const config = await loadAccessConfigOrExit({ files, dev });
    return { config, files, start: (logger) => startAccessRoles(config, logger, roles) };
  }
  const config = await loadConfigOrExit({ files, dev });
  return {
    config,
    files,
    start: (logger) =>
      startRoles(config, logger, roles ?? configuredRoles(config.document), { watchCourier }),
  };
}

/** The default ServeRunner: starts, then runs until SIGINT or SIGTERM. */
async function serveUntilStopped(request: ServeRequest): Promise<void> {
  const { config, files, start } = await loadServe(request);
  await serve(config, files, start);
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
