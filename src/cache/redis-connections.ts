/**
 * Opening and closing the cache's Redis connections, tuned so that a dead Redis fails a request
 * at once instead of holding it.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { withoutDetails } from './safe-error.js';
import type { CacheLogger } from './types.js';

/** The two connections: pub/sub puts a connection in a mode where it can run nothing else. */
export type ConnectionRole = 'cmd' | 'sub';

/** Settings shared by both connections. */
export interface ConnectionSettings {
  url: string;
  clientName: string;
  commandTimeoutMs: number;
  logger: CacheLogger;
}

/** Idle time before the first TCP keep-alive probe of a cache connection. */
export const KEEP_ALIVE_MS = 5_000;

/** Reconnect quickly at first, then every 2 s at most, forever: Redis coming back must be noticed. */
function retryDelay(attempt: number): number {
  return Math.min(attempt * 100, 2_000);
}

/** Opens one connection; it connects (and keeps reconnecting) in the background. */
export function openConnection(settings: ConnectionSettings, role: ConnectionRole): Redis {
  const options: RedisOptions = {
    lazyConnect: false,
    // Fail fast: no queue of commands waiting for a connection, one retry of a command in flight
    // when the connection drops, and a bound on how long any command may take.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: Math.max(settings.commandTimeoutMs, 1_000),
    retryStrategy: retryDelay,
    // The subscription is renewed by the invalidation bus, which must know when it is live again.
    autoResubscribe: false,
    connectionName: `${settings.clientName}:${role}`,
    // TCP keep-alive probes after this much idle time (ioredis's 0 leaves the OS default, 2 h on
    // Linux), so a connection whose peer vanished is eventually closed by the OS too. Heartbeats
    // (invalidation-bus.ts) notice a silent subscription much sooner; this covers the rest.
    keepAlive: KEEP_ALIVE_MS,
  };
  const client = new Redis(settings.url, options);
  reportOutages(client, role, settings.logger);
  return client;
}

/**
 * One warning per outage rather than one per reconnect attempt. Listening to `error` also keeps
 * ioredis from printing unhandled errors to the console.
 */
function reportOutages(client: Redis, role: ConnectionRole, logger: CacheLogger): void {
  let reported = false;
  client.on('error', (error: unknown) => {
    if (reported) return;
    reported = true;
    logger.warn({ err: withoutDetails(error), connection: role }, 'redis cache connection failed; retrying');
  });
  client.on('ready', () => {
    reported = false;
  });
}

/** Closes gracefully when connected, and drops the socket (stopping reconnects) otherwise. */
export async function closeConnection(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection died while quitting.
    }
  }
  client.disconnect();
}
