import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import type { Registry } from '../../src/app/registry.js';
import { startPortcullis } from '../../src/app/server.js';
import { loadConfig } from '../../src/config/index.js';
import { DEFAULT_SCHEMA_URL } from '../../src/identity/schema/index.js';
import { type Logger, silentLogger } from '../../src/kernel/logger.js';
import type { RunningAccessProxy } from '../../src/proxy/server.js';
import { encodeSessionCookie } from '../../src/session/cookie.js';
import type { WorkerOverrides } from '../../src/webhooks/outbox/index.js';
import { withFreePorts } from './ports.js';

export const EXAM_SCHEMA_URL = pathToFileURL(
  join(import.meta.dirname, '..', 'fixtures', 'exam.schema.json'),
).toString();

export interface TestServer {
  publicUrl: string;
  adminUrl: string;
  /** The running composition root, for tests that set up state the HTTP API cannot yet. */
  registry: Registry;
  /** The access proxy's listeners, when configured. */
  accessProxy: RunningAccessProxy | undefined;
  /** A `Cookie` header value holding the session cookie for `token` (without an expiry, as older cookies, unless given). */
  sessionCookie(token: string, expiresAt?: Date): string;
  close(): Promise<void>;
}

/**
 * Starts a whole Portcullis the way `portcullis serve -c <file>` does, from a config file
 * written for the test, with migrations applied first as `portcullis migrate sql` would.
 */
export async function startTestServer(options: {
  dsn: string;
  /** Use the real Redis at REDIS_URL as the session cache, when it is set. */
  redis?: boolean;
  /** Share a Redis key prefix with another test server (replicas of one deployment). */
  redisKeyPrefix?: string;
  /** Keys merged into serve.public (base_url behind a gateway, cors, ...). */
  publicListener?: Record<string, unknown>;
  /** Further listeners under serve (`proxy`, `api`: the access proxy's). */
  listeners?: Record<string, unknown>;
  extraConfig?: Record<string, unknown>;
  /** Where the server logs (silent by default); a test reads what it logged with captureLogs. */
  logger?: Logger;
  /** Run the courier's worker in the server, as `serve --watch-courier` does. */
  watchCourier?: boolean;
  /** Tuning of the web hook outbox's worker (short waits in tests). */
  webhookWorker?: WorkerOverrides;
  /** Load the config as `serve --dev` does (dev inbox, dev defaults); false unless set. */
  dev?: boolean;
  /** Leave migrations to the server's own rule (dev or an in-memory database), as `serve` does. */
  serverMigrates?: boolean;
}): Promise<TestServer> {
  const redisPrefix =
    options.redis && process.env.REDIS_URL
      ? (options.redisKeyPrefix ?? `portcullis-test-${randomBytes(6).toString('hex')}:`)
      : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-test-'));
  const file = join(dir, 'config.yml');
  const start = async ([publicPort, adminPort]: number[]) => {
    const document = {
      dsn: options.dsn,
      serve: {
        public: {
          host: '127.0.0.1',
          port: publicPort,
          base_url: `http://127.0.0.1:${publicPort}/`,
          ...options.publicListener,
        },
        admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
        ...options.listeners,
      },
      identity: {
        default_schema_id: 'exam',
        schemas: [
          { id: 'exam', url: EXAM_SCHEMA_URL },
          { id: 'default', url: DEFAULT_SCHEMA_URL },
        ],
      },
      selfservice: { default_browser_return_url: `http://127.0.0.1:${publicPort}/` },
      secrets: { default: ['a-test-secret-that-is-long-enough'] },
      // Cheap argon2 parameters: tests exercise behaviour, not hash strength.
      hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
      log: { level: 'error' },
      // A key prefix of its own: counters and cache entries never leak between test servers or runs.
      ...(redisPrefix ? { cache: { redis: { url: process.env.REDIS_URL, key_prefix: redisPrefix } } } : {}),
      ...options.extraConfig,
    };
    await writeFile(file, stringify(document));
    const config = await loadConfig({
      files: [file],
      env: {},
      dev: options.dev ?? false,
      cwd: dir,
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    });
    const running = await startPortcullis(config, options.logger ?? silentLogger(), {
      ...(options.serverMigrates ? {} : { migrate: true }),
      watchCourier: options.watchCourier ?? false,
      cwd: dir,
      ...(options.webhookWorker ? { webhookWorker: options.webhookWorker } : {}),
    });
    return { config, running };
  };
  // A port taken between choosing it and listening on it: the server closed what it opened; again.
  const { config, running } = await withFreePorts(2, start);
  return {
    publicUrl: running.publicUrl,
    adminUrl: running.adminUrl,
    registry: running.registry,
    accessProxy: running.accessProxy,
    sessionCookie: (token, expiresAt) =>
      `${running.registry.sessionConfig.cookie.name}=${encodeSessionCookie(token, config.secrets.cookie, expiresAt)}`,
    async close() {
      await running.close();
      if (redisPrefix && process.env.REDIS_URL) await deleteKeys(process.env.REDIS_URL, redisPrefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
