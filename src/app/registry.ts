import { createTwoTierCache, type TwoTierCache } from '../cache/index.js';
import { type Config, type SessionConfig, sessionConfig } from '../config/index.js';
import { type Courier, createCourier } from '../courier/index.js';
import { createPasswordHashing, type PasswordHashing } from '../hash/index.js';
import { createIdentityManager, type IdentityManager } from '../identity/manager.js';
import type { IdentitySchemas } from '../identity/ports.js';
import { createSchemaRegistry, type SchemaRegistry } from '../identity/schema/index.js';
import { encodeSchemaId } from '../identity/schema-routes.js';
import { createJsonnetEvaluator, type JsonnetEvaluator } from '../jsonnet/index.js';
import { createSecretCipher, type SecretCipher } from '../kernel/cipher.js';
import { createOutboundHttp, type OutboundHttpClient, outboundHttpConfig } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import { type Database, openDatabase } from '../persistence/database.js';
import { parseDsn } from '../persistence/dsn.js';
import { createIdentityStore, type IdentityStore } from '../persistence/identity-store.js';
import { createSessionStore } from '../persistence/session-store.js';
import {
  type CachedIdentity,
  type CachedSession,
  createSessionManager,
  type SessionManager,
} from '../session/manager.js';
import { createWebhookOutbox, type WebhookOutbox } from '../webhooks/outbox/index.js';

/**
 * The composition root: the one place that knows the whole graph. Everything else receives
 * the few providers it needs.
 */
export interface Registry {
  config: Config;
  logger: Logger;
  database: Database;
  identityStore: IdentityStore;
  hashing: PasswordHashing;
  schemas: SchemaRegistry;
  identitySchemas: IdentitySchemas;
  identities: IdentityManager;
  sessions: SessionManager;
  sessionConfig: SessionConfig;
  cache: TwoTierCache;
  /** The email outbox; workers are started by `serve --watch-courier` and `courier watch`. */
  courier: Courier;
  /** Calls to other services (web hooks, templates by URL), SSRF-guarded per `clients.http`. */
  http: OutboundHttpClient;
  /** Fire-and-forget web hooks, delivered durably; the worker runs in every `serve`. */
  webhookOutbox: WebhookOutbox;
  /** Seals small secrets kept at rest (`secrets.cipher`, else derived from `secrets.default`). */
  cipher: SecretCipher;
  /** Jsonnet off the main thread (web hook bodies; later mappers and tokenizers). */
  jsonnet: JsonnetEvaluator;
  close(): Promise<void>;
}

export interface RegistryOptions {
  /** Apply pending migrations at start (always with --dev). */
  migrate: boolean;
}

export async function createRegistry(
  config: Config,
  logger: Logger,
  options: RegistryOptions,
): Promise<Registry> {
  // Schemas first: a schema that does not load stops the start before the database is touched.
  const schemas = await createSchemaRegistry(config.identity.schemas, config.identity.defaultSchemaId);
  // A PostgreSQL server that is not up yet is waited for (5 minutes, as Kratos's Init), not fatal.
  const database = await openDatabase(parseDsn(config.dsn, process.cwd()), { waitForServer: { logger } });
  if (options.migrate) {
    const applied = await database.migrate();
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
  } else {
    const pending = await database.pendingMigrations();
    if (pending.length > 0) {
      logger.warn(
        { pending },
        'database migrations are pending: run `portcullis migrate sql`; not ready until then',
      );
    }
  }

  const http = createOutboundHttp(outboundHttpConfig(config.document));
  // Workers start on the first evaluation: a config without Jsonnet costs nothing.
  const jsonnet = createJsonnetEvaluator({ logger });
  // Templates compile here, so a broken override stops the start before anything listens.
  const courier = await createCourier({ config, database, logger, jsonnet, http }).catch(
    async (error: unknown) => {
      await Promise.all([http.close(), jsonnet.close()]);
      await database.close();
      throw error;
    },
  );

  // Seals what we store and must read back (web-hook credentials in the outbox).
  const cipher = createSecretCipher(config.secrets.cipher, config.secrets.default);
  const webhookOutbox = createWebhookOutbox({ database, http, logger, cipher });

  const publicBase = config.serve.public.baseUrl;
  // Every session and identity answer carries its schema's URL: built once per configured
  // schema rather than parsed again on every login and whoami miss.
  const schemaUrls = new Map<string, string>();
  const schemaUrl = (id: string): string => {
    let url = schemaUrls.get(id);
    if (url === undefined) {
      url = new URL(`schemas/${encodeSchemaId(id)}`, publicBase).toString();
      if (schemas.get(id) !== undefined) schemaUrls.set(id, url);
    }
    return url;
  };
  const identitySchemas: IdentitySchemas = {
    defaultId: schemas.defaultId,
    schemaUrl,
    validate(schemaId, traits) {
      return schemas.get(schemaId)?.validate(traits);
    },
  };
  const { argon2, bcrypt } = config.hashers;
  const hashing = createPasswordHashing({
    algorithm: config.hashers.algorithm,
    argon2: {
      memory: argon2.memory,
      iterations: argon2.iterations,
      parallelism: argon2.parallelism,
      salt_length: argon2.saltLength,
      key_length: argon2.keyLength,
    },
    bcrypt: { cost: bcrypt.cost },
  });
  const identityStore = createIdentityStore(database.db);
  // The cache is in-process on one node, and LRU in front of Redis when cache.redis.url is set.
  const cache = await createTwoTierCache({
    redisUrl: config.cache.redisUrl,
    keyPrefix: config.cache.keyPrefix,
    logger,
  });
  const sessionSettings = sessionConfig(config.document, config.dev);
  const sessions = createSessionManager({
    sessions: createSessionStore(database.db),
    identities: identityStore,
    tokenKeys: config.secrets.default,
    config: sessionSettings,
    schemaUrl,
    cache: {
      sessions: cache.namespace<CachedSession>('sessions', { maxEntries: 100_000, localTtlMs: 30_000 }),
      identities: cache.namespace<CachedIdentity>('identities', { maxEntries: 50_000, localTtlMs: 30_000 }),
    },
  });
  const identities = createIdentityManager({
    store: identityStore,
    schemas: identitySchemas,
    hashing,
    onChanged: (id, identity) => sessions.identityChanged(id, identity),
  });

  return {
    config,
    logger,
    database,
    identityStore,
    hashing,
    schemas,
    identitySchemas,
    identities,
    sessions,
    sessionConfig: sessionSettings,
    cache,
    courier,
    http,
    webhookOutbox,
    cipher,
    jsonnet,
    async close() {
      // Workers first, then the pools they use, then the database.
      await webhookOutbox.close();
      await courier.close();
      await http.close();
      await jsonnet.close();
      await cache.close();
      await database.close();
    },
  };
}
