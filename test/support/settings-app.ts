/**
 * A public listener with the login, whoami and settings routes, built from the real registry
 * (database, identity manager, session manager) the way app/selfservice.ts builds the flows.
 * The settings acceptance test uses it so it does not depend on how the other flows are wired;
 * the verification sender is a recording stand-in for our own port.
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { stringify } from 'yaml';
import { createHttpServer } from '../../src/app/http.js';
import { createRegistry, type Registry } from '../../src/app/registry.js';
import { buildSettingsDeps } from '../../src/app/settings-wiring.js';
import { loadConfig, selfServiceConfig } from '../../src/config/index.js';
import type { Identity, JsonObject } from '../../src/identity/model.js';
import { DEFAULT_SCHEMA_URL } from '../../src/identity/schema/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import { createReturnToValidator } from '../../src/kernel/return-to.js';
import { createFlowStore } from '../../src/persistence/flow-store.js';
import { compileTrustedProxies } from '../../src/ratelimit/index.js';
import { csrfCookieName } from '../../src/selfservice/flow/csrf.js';
import type { FlowType } from '../../src/selfservice/flow/flow.js';
import type { CookieSettings } from '../../src/selfservice/flow/http-context.js';
import type { LoginDeps } from '../../src/selfservice/login/deps.js';
import { loginRoutes } from '../../src/selfservice/login/routes.js';
import { identifierLabel, loginPasswordNodes } from '../../src/selfservice/nodes/index.js';
import { settingsRoutes } from '../../src/selfservice/settings/routes.js';
import type { VerificationSender } from '../../src/selfservice/verification/sender.js';
import { publicSessionRoutes } from '../../src/session/public-routes.js';
import { freePort } from './ports.js';
import { EXAM_SCHEMA_URL } from './server.js';

/** One call of the verification sender. */
export interface SentVerification {
  identityId: string;
  addresses: readonly string[];
  type: FlowType;
  flowId: string;
}

export interface SettingsTestApp {
  publicUrl: string;
  registry: Registry;
  /** What the settings flow asked the verification sender to send. */
  sentVerifications: SentVerification[];
  close(): Promise<void>;
}

export async function startSettingsTestApp(options: {
  dsn: string;
  extraConfig?: Record<string, unknown>;
}): Promise<SettingsTestApp> {
  const [publicPort, adminPort] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${publicPort}`;
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-settings-test-'));
  const file = join(dir, 'config.yml');
  await writeFile(
    file,
    stringify({
      dsn: options.dsn,
      serve: {
        public: { host: '127.0.0.1', port: publicPort, base_url: `${publicUrl}/` },
        admin: { host: '127.0.0.1', port: adminPort, base_url: `http://127.0.0.1:${adminPort}/` },
      },
      identity: {
        default_schema_id: 'exam',
        schemas: [
          { id: 'exam', url: EXAM_SCHEMA_URL },
          { id: 'default', url: DEFAULT_SCHEMA_URL },
        ],
      },
      secrets: { default: ['a-test-secret-that-is-long-enough'] },
      hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
      log: { level: 'error' },
      ...options.extraConfig,
    }),
  );
  const config = await loadConfig({
    files: [file],
    env: {},
    dev: false,
    cwd: dir,
    defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
  });
  const registry = await createRegistry(config, silentLogger(), { migrate: true });

  const publicBase = config.serve.public.baseUrl;
  const selfService = selfServiceConfig(config.document, publicBase);
  const cookies: CookieSettings = {
    session: registry.sessionConfig.cookie,
    csrf: registry.sessionConfig.csrfCookie,
    lifespanMs: registry.sessionConfig.lifespanMs,
    csrfCookieName: csrfCookieName(publicBase),
    cookieKeys: config.secrets.cookie,
  };
  const label = identifierLabel(registry.schemas.getDefault().document as JsonObject);
  const login: LoginDeps = {
    flows: createFlowStore(registry.database.db),
    sessions: registry.sessions,
    identities: registry.identityStore,
    hashing: registry.hashing,
    throttle: undefined,
    trustedProxies: compileTrustedProxies([]),
    returnTo: createReturnToValidator({
      allowedReturnUrls: selfService.allowedReturnUrls,
      defaultReturnUrl: selfService.defaultReturnUrl,
      publicBaseUrl: publicBase,
    }),
    config: selfService,
    publicBase,
    cookies,
    tokens: { cookieName: registry.sessionConfig.cookie.name, cookieKeys: config.secrets.cookie },
    schemaUrl: registry.identitySchemas.schemaUrl,
    loginNodes: (identifier) => loginPasswordNodes({ identifierLabel: label, identifier }),
    now: () => new Date(),
  };

  const sentVerifications: SentVerification[] = [];
  const verification: VerificationSender = {
    async sendForAddresses(identity: Identity, addresses, context) {
      const flowId = randomUUID();
      sentVerifications.push({
        identityId: identity.id,
        addresses: [...addresses],
        type: context.type,
        flowId,
      });
      const url = new URL(selfService.verification.uiUrl);
      url.searchParams.set('flow', flowId);
      return { flowId, address: addresses[0] ?? '', url: url.toString() };
    },
  };

  const app = createHttpServer({ logger: silentLogger() });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(loginRoutes(login));
  await app.register(publicSessionRoutes({ sessions: registry.sessions, tokens: login.tokens }));
  await app.register(settingsRoutes(buildSettingsDeps(registry, login, verification)));
  await app.listen({ host: '127.0.0.1', port: publicPort });

  return {
    publicUrl,
    registry,
    sentVerifications,
    async close() {
      await app.close();
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
