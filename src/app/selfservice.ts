import { Redis } from 'ioredis';
import { selfServiceConfig } from '../config/index.js';
import type { JsonObject } from '../identity/model.js';
import { createReturnToValidator } from '../kernel/return-to.js';
import { createFlowStore } from '../persistence/flow-store.js';
import {
  compileTrustedProxies,
  createLoginThrottle,
  createMemoryCounterStore,
  createRedisCounterStore,
  resolveBruteForceConfig,
} from '../ratelimit/index.js';
import { csrfCookieName } from '../selfservice/flow/csrf.js';
import type { CookieSettings } from '../selfservice/flow/http-context.js';
import type { LoginDeps } from '../selfservice/login/deps.js';
import type { LogoutDeps } from '../selfservice/logout/routes.js';
import {
  identifierLabel,
  loginPasswordNodes,
  registrationPasswordNodes,
  registrationPasswordStepMessages,
  registrationPasswordStepNodes,
} from '../selfservice/nodes/index.js';
import type { RegistrationDeps } from '../selfservice/registration/deps.js';
import {
  createHibpClient,
  resolvePasswordPolicyConfig,
} from '../selfservice/strategies/password/policy/index.js';
import type { Registry } from './registry.js';

export interface SelfService {
  login: LoginDeps;
  registration: RegistrationDeps;
  logout: LogoutDeps;
  close(): Promise<void>;
}

/** Wires the self-service flows from the registry and the `selfservice.*` config. */
export function buildSelfService(registry: Registry): SelfService {
  const { config } = registry;
  const publicBase = config.serve.public.baseUrl;
  const settings = selfServiceConfig(config.document, publicBase);
  const flows = createFlowStore(registry.database.db);
  const now = () => new Date();
  const returnTo = createReturnToValidator({
    allowedReturnUrls: settings.allowedReturnUrls,
    defaultReturnUrl: settings.defaultReturnUrl,
    publicBaseUrl: publicBase,
  });
  for (const ignored of returnTo.ignored) {
    registry.logger.warn(
      { entry: ignored.entry, reason: ignored.reason },
      'ignoring an allowed_return_urls entry',
    );
  }
  const cookies: CookieSettings = {
    session: registry.sessionConfig.cookie,
    csrf: registry.sessionConfig.csrfCookie,
    lifespanMs: registry.sessionConfig.lifespanMs,
    csrfCookieName: csrfCookieName(publicBase),
    cookieKeys: config.secrets.cookie,
  };
  const tokens = { cookieName: registry.sessionConfig.cookie.name, cookieKeys: config.secrets.cookie };

  const security = (config.document as { security?: { brute_force?: unknown } }).security;
  const bruteForce = resolveBruteForceConfig(
    security?.brute_force as Parameters<typeof resolveBruteForceConfig>[0],
  );
  if (!bruteForce.ok) {
    throw new Error(
      `security.brute_force: ${bruteForce.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  // Counters live where the cache lives: in Redis for many replicas, in process for one.
  const redis = config.cache.redisUrl
    ? new Redis(config.cache.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 1000,
      })
    : undefined;
  redis?.on('error', (error: Error) =>
    registry.logger.warn({ err: error.message }, 'rate-limit redis error'),
  );
  const counters = redis
    ? createRedisCounterStore({ redis, prefix: `${config.cache.keyPrefix}ratelimit:` })
    : createMemoryCounterStore();
  const throttle = bruteForce.value.enabled
    ? createLoginThrottle(bruteForce.value, counters, { now: () => Date.now() })
    : undefined;

  const trustedProxies = compileTrustedProxies(bruteForce.value.trustedProxies);
  const schema = registry.schemas.getDefault();
  const schemaDocument = schema.document as JsonObject;
  const label = identifierLabel(schemaDocument);

  const login: LoginDeps = {
    flows,
    sessions: registry.sessions,
    identities: registry.identityStore,
    hashing: registry.hashing,
    throttle,
    trustedProxies,
    returnTo,
    config: settings,
    publicBase,
    cookies,
    tokens,
    loginNodes: (identifier) => loginPasswordNodes({ identifierLabel: label, identifier }),
    now,
  };
  const registration: RegistrationDeps = {
    flows,
    sessions: registry.sessions,
    identities: registry.identities,
    schemas: registry.identitySchemas,
    schemaDocument,
    passwordPolicy: resolvePasswordPolicyConfig(settings.password.config),
    breaches: createHibpClient(),
    returnTo,
    trustedProxies,
    config: settings,
    publicBase,
    cookies,
    tokens,
    registrationNodes: (step, values) =>
      step === 'password' && settings.registration.style === 'profile_first'
        ? registrationPasswordStepNodes(schemaDocument, { values: values ?? {} })
        : registrationPasswordNodes(schemaDocument, { style: settings.registration.style, values }),
    passwordStepMessages: registrationPasswordStepMessages,
    now,
  };
  const logout: LogoutDeps = {
    sessions: registry.sessions,
    tokens,
    cookies,
    returnTo,
    publicBase,
    defaultReturnUrl: settings.logout.returnUrl,
  };
  return {
    login,
    registration,
    logout,
    async close() {
      redis?.disconnect();
    },
  };
}
