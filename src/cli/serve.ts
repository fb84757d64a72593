import { Command } from 'commander';
import { startPortcullis } from '../app/server.js';
import { redactConfig } from '../config/index.js';
import { createLogger } from '../kernel/logger.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { loadConfigOrExit } from './load-config.js';

interface ServeOptions {
  config?: string[];
  dev?: boolean;
  sqaOptOut?: boolean;
  /** undefined: on with --dev, off otherwise. */
  watchCourier?: boolean;
}

/** `portcullis serve -c <file> [-c <file> ...] [--dev]`, as `kratos serve`. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve the public and admin APIs (and every other listener the config enables)')
    .option('-c, --config <file...>', 'config file(s), YAML or JSON; later files override earlier ones')
    .option(
      '--dev',
      'development mode: embedded SQLite, generated secrets, migrations applied, cookies without Secure',
    )
    .option(
      '--watch-courier',
      'also deliver queued email (the courier worker) in this process; on with --dev',
    )
    .option('--no-watch-courier', 'do not deliver email in this process, even with --dev')
    .option('--sqa-opt-out', 'accepted for compatibility with kratos serve; Portcullis sends no telemetry')
    .addHelpText(
      'after',
      '\nEnvironment variables override config keys as in Kratos: DSN, SERVE_PUBLIC_PORT, SECRETS_COOKIE (comma list), ...\nWith Oathkeeper keys (access_rules, serve.proxy, serve.api) the access proxy (4455) and the decision API (4456) run too.',
    )
    .action(async (options: ServeOptions) => {
      const config = await loadConfigOrExit({ files: options.config ?? [], dev: options.dev ?? false });
      const logger = createLogger(config.log);
      for (const warning of config.warnings) logger.warn(warning);
      logger.debug({ config: redactConfig(config.document) }, 'configuration loaded');
      try {
        const running = await startPortcullis(config, logger, { watchCourier: options.watchCourier });
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
    });
}
