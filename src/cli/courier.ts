import { Command, InvalidArgumentError, Option } from 'commander';
import { isConfigError, redactConfig } from '../config/index.js';
import { createCourier } from '../courier/index.js';
import { parseDuration } from '../kernel/duration.js';
import { createLogger } from '../kernel/logger.js';
import { openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { loadConfigOrExit } from './load-config.js';

interface WatchOptions {
  config?: string[];
  dev?: boolean;
  lease?: number;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000)
    throw new InvalidArgumentError('give a duration of at least 1s, such as 60s or 2m');
  return ms;
}

/** `portcullis courier watch -c <file>`, as `kratos courier watch`. */
export function courierCommand(): Command {
  const courier = new Command('courier').description('Deliver the email outbox');
  courier.addCommand(
    new Command('watch')
      .description(
        'Deliver queued email until SIGTERM or SIGINT. Run it beside `serve` (or use `serve --watch-courier`); several may run at once',
      )
      .option('-c, --config <file...>', 'config file(s), YAML or JSON; later files override earlier ones')
      .option(
        '--dev',
        'development mode: embedded SQLite, migrations applied, the dev inbox when SMTP is unset',
      )
      .addOption(
        new Option(
          '--lease <duration>',
          'how long a claimed message stays with this worker before another may retry it; sends time out at half of it',
        )
          .argParser(duration)
          .default(60_000, '60s'),
      )
      .addHelpText(
        'after',
        '\nEmail goes out through courier.smtp.connection_uri (env COURIER_SMTP_CONNECTION_URI), or to courier.http.request_config.url with courier.delivery_strategy http. Polling follows courier.worker.pull_wait and pull_count; retries follow courier.message_retries.',
      )
      .action(async (options: WatchOptions) => {
        const config = await loadConfigOrExit({ files: options.config ?? [], dev: options.dev ?? false });
        const logger = createLogger(config.log);
        for (const warning of config.warnings) logger.warn(warning);
        logger.debug({ config: redactConfig(config.document) }, 'configuration loaded');
        const database = await openDatabase(parseDsn(config.dsn, process.cwd()));
        try {
          // Config problems first: they are what the operator must fix before anything else.
          const courierService = await createCourier({ config, database, logger });
          if (config.dev) await database.migrate();
          const pending = await database.pendingMigrations();
          if (pending.length > 0) {
            console.error(
              `Database migrations are pending (${pending.join(', ')}): run \`portcullis migrate sql\`.`,
            );
            await courierService.close();
            await database.close();
            process.exit(EXIT_FAILURE);
          }
          const worker = courierService.startWorker({ leaseMs: options.lease ?? 60_000 });
          const stop = async (signal: string) => {
            logger.info({ signal }, 'shutting down');
            await worker.stop();
            await courierService.close();
            await database.close();
            process.exit(0);
          };
          process.once('SIGINT', () => void stop('SIGINT'));
          process.once('SIGTERM', () => void stop('SIGTERM'));
        } catch (error) {
          await database.close();
          if (isConfigError(error)) {
            console.error(`The configuration is invalid:\n${error.message}`);
            process.exit(EXIT_FAILURE);
          }
          logger.fatal({ err: error }, 'could not start');
          process.exit(EXIT_FAILURE);
        }
      }),
  );
  return courier;
}
