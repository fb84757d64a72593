import pg from 'pg';
import type { Logger } from '../kernel/logger.js';

/**
 * How long start-up waits for a database server that does not answer yet, and how far apart it
 * tries: Kratos's driver (RegistryDefault.Init) retries connect, open and ping with
 * cenkalti/backoff's ExponentialBackOff — first wait 500 ms, each wait 1.5 times the last, spread
 * by ±50 %, at most 60 s — and gives up after `MaxElapsedTime = 5 * time.Minute`.
 */
export interface ConnectBackoff {
  initialMs: number;
  multiplier: number;
  /** Each wait is drawn from `interval * (1 ± randomization)`. */
  randomization: number;
  maxIntervalMs: number;
  /** No attempt starts later than this after the first one. */
  maxElapsedMs: number;
}

export const KRATOS_CONNECT_BACKOFF: ConnectBackoff = {
  initialMs: 500,
  multiplier: 1.5,
  randomization: 0.5,
  maxIntervalMs: 60_000,
  maxElapsedMs: 5 * 60_000,
};

/** Time and chance as the retry loop sees them; tests give their own. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1). */
  random(): number;
}

const REAL_CLOCK: RetryClock = {
  now: () => Date.now(),
  // Not unref'd: while start-up waits, this timer is what keeps the process alive.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * The wait after failed attempt `failures` (1-based): `initial * multiplier^(failures-1)`, at most
 * `maxIntervalMs`, spread by ±`randomization` (cenkalti/backoff's NextBackOff).
 */
export function connectRetryDelayMs(failures: number, backoff: ConnectBackoff, random: number): number {
  const interval = Math.min(backoff.initialMs * backoff.multiplier ** (failures - 1), backoff.maxIntervalMs);
  const delta = backoff.randomization * interval;
  return Math.round(interval - delta + random * 2 * delta);
}

export interface RetryOptions {
  backoff: ConnectBackoff;
  clock?: RetryClock;
  /** Told of each failure that will be retried, before the wait. */
  onRetry(error: unknown, failures: number, delayMs: number): void;
}

/**
 * Runs `attempt` until it resolves, waiting between failures as `backoff` says; rejects with the
 * last failure once the next wait would end after `maxElapsedMs` (as backoff.Retry: Stop when
 * elapsed + next > MaxElapsedTime).
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? REAL_CLOCK;
  const started = clock.now();
  for (let failures = 1; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      const delayMs = connectRetryDelayMs(failures, options.backoff, clock.random());
      if (clock.now() - started + delayMs > options.backoff.maxElapsedMs) throw error;
      options.onRetry(error, failures, delayMs);
      await clock.sleep(delayMs);
    }
  }
}

/** How long one attempt may take to connect and answer, as Kratos's 5 s ping timeout. */
const ATTEMPT_TIMEOUT_MS = 5_000;

/**
 * One attempt: a connection of its own (not the pool's, whose settings serve the running
 * server) that must connect and answer `select 1` within 5 s. A server that accepts nothing,
 * refuses, still starts up (57P03) or refuses the login all fail it alike, as in Kratos.
 */
export async function probePostgres(connectionString: string): Promise<void> {
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS,
    query_timeout: ATTEMPT_TIMEOUT_MS,
  });
  // A connection lost mid-attempt rejects connect() or query(); the event must not crash us.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}

export interface WaitForServer {
  logger: Logger;
  backoff?: ConnectBackoff;
  clock?: RetryClock;
}

/**
 * Waits until the PostgreSQL server at `connectionString` answers, logging a warning for each
 * failed attempt ("Unable to ping database, retrying." in Kratos), so a process that starts
 * before its database (compose, a pod beside a restarting PostgreSQL) waits instead of exiting.
 * Rejects with the last error after 5 minutes. A signal during the wait ends the process at
 * once: the serve command installs its handlers only after start-up.
 */
export async function waitForPostgres(connectionString: string, options: WaitForServer): Promise<void> {
  let failed = 0;
  await retryWithBackoff(() => probePostgres(connectionString), {
    backoff: options.backoff ?? KRATOS_CONNECT_BACKOFF,
    ...(options.clock ? { clock: options.clock } : {}),
    onRetry(error, failures, delayMs) {
      failed = failures;
      options.logger.warn(
        { err: error, attempt: failures, retry_in_ms: delayMs },
        'unable to connect to the database, retrying',
      );
    },
  });
  if (failed > 0) options.logger.info({ attempts: failed + 1 }, 'connected to the database');
}
