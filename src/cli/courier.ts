import { Command, InvalidArgumentError, Option } from 'commander';
import { isConfigError, redactConfig } from '../config/index.js';
import { createCourier } from '../courier/index.js';
import { parseDuration } from '../kernel/duration.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { VERSION } from '../kernel/version.js';
import { startCourierMetrics } from '../observability/courier-metrics.js';
import type { MetricsListener } from '../observability/listen.js';
import { type Database, openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { configFiles, readsConfig } from './config-flag.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { flagOrConfigBoolean, loadConfigOrExit, loadUnvalidatedConfigOrExit } from './load-config.js';

interface WatchOptions {
  /** undefined: the config's `dev` key (Kratos binds --dev into the config). */
  dev?: boolean;
  lease?: number;
  /** `courier --expose-metrics-port`, Kratos's persistent flag on `courier`. */
  exposeMetricsPort?: number;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port, 0 to 65535.');
  return n;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000)
    throw new InvalidArgumentError('give a duration of at least 1s, such as 60s or 2m');
  return ms;
}

/**
 * The metrics listener, as Kratos's ServeMetrics: one that cannot listen (the port taken) is
 * logged and the courier runs on without it, as Kratos's goroutine does.
 */
async function startMetrics(
  host: string,
  port: number,
  logger: Logger,
): Promise<MetricsListener | undefined> {
  try {
    const listener = await startCourierMetrics({ host, port, version: VERSION });
    logger.info({ url: `${listener.url}/metrics/prometheus` }, 'serving metrics');
    return listener;
  } catch (error) {
    logger.error({ err: error, port }, 'could not start the metrics listener; the courier runs without it');
    return undefined;
  }
}

/** `portcullis courier watch -c <file>`, as `kratos courier watch`. */
export function courierCommand(): Command {
  const courier = new Command('courier')
    .description('Deliver the email outbox')
    .option(
      '--expose-metrics-port <port>',
      'serve Prometheus metrics at /metrics/prometheus on this port, on serve.admin.host (also the expose-metrics-port config key; 0: none)',
      port,
    );
  courier.addCommand(
    readsConfig(new Command('watch'))
      .description(
        'Deliver queued email until SIGTERM or SIGINT. Run it beside `serve` (or use `serve --watch-courier`); several may run at once',
      )
      .option(
        '--dev',
        'development mode: embedded SQLite, migrations applied, the dev inbox when SMTP is unset (or `dev: true` in the config)',
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
      .action(async (_options: unknown, command: Command) => {
        const options = command.optsWithGlobals<WatchOptions>();
        const files = configFiles(command);
        // Kratos binds --dev and --expose-metrics-port into the config: the keys count when the flags are absent.
        const document = await loadUnvalidatedConfigOrExit(files);
        const dev = flagOrConfigBoolean(options.dev, document, 'dev') ?? false;
        const config = await loadConfigOrExit({ files, dev });
        const logger = createLogger(config.log);
        for (const warning of config.warnings) logger.warn(warning);
        const metricsPort = options.exposeMetricsPort ?? document['expose-metrics-port'];
        logger.debug({ config: redactConfig(config.document) }, 'configuration loaded');
        let database: Database;
        try {
          // As Kratos's driver Init: a PostgreSQL server that does not answer yet is retried for
          // up to 5 minutes, each retry logged; a signal meanwhile ends the process at once.
          database = await openDatabase(parseDsn(config.dsn, process.cwd()), { waitForServer: { logger } });
        } catch (error) {
          logger.fatal({ err: error }, 'could not connect to the database');
          process.exit(EXIT_FAILURE);
        }
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
          const metrics =
            typeof metricsPort === 'number' && metricsPort !== 0
              ? await startMetrics(config.serve.admin.host, metricsPort, logger)
              : undefined;
          const worker = courierService.startWorker({ leaseMs: options.lease ?? 60_000 });
          const stop = async (signal: string) => {
            logger.info({ signal }, 'shutting down');
            await metrics?.close();
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
            console.error(error.message);
            process.exit(EXIT_FAILURE);
          }
          logger.fatal({ err: error }, 'could not start');
          process.exit(EXIT_FAILURE);
        }
      }),
  );
  return courier;
}
