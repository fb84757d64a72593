import { Redis } from 'ioredis';
import { listenerBaseUrlText } from '../config/areas/serve.js';
import { smsLimitConfig } from '../config/areas/sms-limit.js';
import { ConfigError, selfServiceConfig } from '../config/index.js';
import { createOAuth2Provider } from '../hydra/index.js';
import type { JsonObject } from '../identity/model.js';
import { serializeIdentity } from '../identity/serialize.js';
import { createReturnToValidator } from '../kernel/return-to.js';
import { createAddressStore } from '../persistence/address-store.js';
import { createCodeStore } from '../persistence/code-store.js';
import { createFlowStore } from '../persistence/flow-store.js';
import {
  compileTrustedProxies,
  createLoginThrottle,
  createMemoryCounterStore,
  createRedisCounterStore,
  fixedWindowLimit,
  mailLimitRule,
  resolveBruteForceConfig,
} from '../ratelimit/index.js';
import { createSelfServiceErrorStore, type SelfServiceErrorDeps } from '../selfservice/errors/index.js';
import { csrfCookieName } from '../selfservice/flow/csrf.js';
import type { CookieSettings } from '../selfservice/flow/http-context.js';
import { type FlowSchemas, flowSchema } from '../selfservice/flow/identity-schema.js';
import { createHookRunner } from '../selfservice/hooks/runner.js';
import { DEFAULT_HEADER_ALLOWLIST } from '../selfservice/hooks/web-hook/context.js';
import { createTemplateSource } from '../selfservice/hooks/web-hook/templates.js';
import type { LoginDeps } from '../selfservice/login/deps.js';
import type { LogoutDeps } from '../selfservice/logout/routes.js';
import {
  identifierFirstCredentialNodes,
  identifierFirstNodes,
  identifierLabel,
  loginPasswordNodes,
  registrationPasswordNodes,
  registrationPasswordStepMessages,
  registrationPasswordStepNodes,
} from '../selfservice/nodes/index.js';
import type { OneTimeDeps } from '../selfservice/one-time/deps.js';
import type { RecoveryDeps } from '../selfservice/recovery/deps.js';
import type { RegistrationDeps } from '../selfservice/registration/deps.js';
import type { SettingsDeps } from '../selfservice/settings/deps.js';
import { createSettingsFlow } from '../selfservice/settings/flow.js';
import type { OidcDeps } from '../selfservice/strategies/oidc/deps.js';
import { createPasswordMigrationHook } from '../selfservice/strategies/password/migration-hook.js';
import {
  createHibpClient,
  resolvePasswordPolicyConfig,
} from '../selfservice/strategies/password/policy/index.js';
import type { VerificationDeps } from '../selfservice/verification/deps.js';
import { createVerificationSender } from '../selfservice/verification/send-on-change.js';
import { createSmsLimiter } from '../selfservice/verification/sms-limit.js';
import { buildOidcDeps } from './oidc-wiring.js';
import type { Registry } from './registry.js';
import { buildSettingsDeps } from './settings-wiring.js';

export interface SelfService {
  login: LoginDeps;
  registration: RegistrationDeps;
  logout: LogoutDeps;
  verification: VerificationDeps;
  recovery: RecoveryDeps;
  settings: SettingsDeps;
  /** The oidc method, when `selfservice.methods.oidc.enabled`. */
  oidc: OidcDeps | undefined;
  /** Errors no flow can show: stored for the browser's error UI (`selfservice.flows.error.ui_url`). */
  errors: SelfServiceErrorDeps;
  close(): Promise<void>;
}

/**
 * A send request for a known and an unknown address answers after at least this long, so its
 * timing does not tell whether an account exists (the work itself takes a few milliseconds).
 */
const SEND_RESPONSE_FLOOR_MS = 200;

/**
 * One web hook attempt's deadline: Kratos's web hook client (RegistryBase.HTTPClient) has a 30 s
 * Client.Timeout per attempt, and retries twice (see webhooks/resilient.ts).
 */
const WEB_HOOK_TIMEOUT_MS = 30_000;

/** `clients.web_hook.header_allowlist`, else Kratos's default list. */
function webHookHeaderAllowlist(document: unknown): readonly string[] {
  const list = (document as { clients?: { web_hook?: { header_allowlist?: unknown } } }).clients?.web_hook
    ?.header_allowlist;
  return Array.isArray(list)
    ? list.filter((h): h is string => typeof h === 'string')
    : DEFAULT_HEADER_ALLOWLIST;
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
    // Kratos hashes serve.public.base_url as written (CSRFCookieName), not the parsed URL.
    csrfCookieName: csrfCookieName(listenerBaseUrlText(config.serve.public)),
    cookieKeys: config.secrets.cookie,
  };
  const tokens = { cookieName: registry.sessionConfig.cookie.name, cookieKeys: config.secrets.cookie };
  // `oauth2_provider`: Ory Hydra's login requests (login_challenge) served by login and registration.
  const oauth2Provider = createOAuth2Provider({
    document: config.document,
    http: registry.http,
    session: registry.sessionConfig,
  });

  const security = (config.document as { security?: { brute_force?: unknown } }).security;
  const bruteForce = resolveBruteForceConfig(
    security?.brute_force as Parameters<typeof resolveBruteForceConfig>[0],
  );
  if (!bruteForce.ok) {
    throw new Error(
      `security.brute_force: ${bruteForce.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  // `security.sms_limit`: verification SMS per client IP and in all, against SMS pumping. Read
  // before Redis is connected, so a wrong key stops the start with nothing left open.
  const smsLimit = smsLimitConfig(config.document);
  if (!smsLimit.ok) throw new ConfigError(smsLimit.issues);
  // Counters live where the cache lives: in Redis for many replicas, in process for one.
  const redis = config.cache.redisUrl
    ? new Redis(config.cache.redisUrl, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 1000,
        keepAlive: 5_000,
      })
    : undefined;
  // ioredis reports every reconnect attempt; the store warns once per outage (and counts in this
  // replica's memory meanwhile, so sign-ins and sign-ups keep working: ratelimit/fallback-store.ts).
  redis?.on('error', (error: Error) =>
    registry.logger.debug({ err: error.message }, 'rate-limit redis error'),
  );
  const counters = redis
    ? createRedisCounterStore({
        redis,
        prefix: `${config.cache.keyPrefix}ratelimit:`,
        logger: registry.logger,
      })
    : createMemoryCounterStore();
  // `security.mail_limit`: verification and recovery messages per address, against mail bombing.
  const mailLimit = mailLimitRule(config.document);
  const throttle = bruteForce.value.enabled
    ? createLoginThrottle(bruteForce.value, counters, { now: () => Date.now() })
    : undefined;

  const trustedProxies = compileTrustedProxies(bruteForce.value.trustedProxies);
  const flowSchemas: FlowSchemas = {
    defaultId: registry.schemas.defaultId,
    document: (id) => registry.schemas.get(id)?.document as JsonObject | undefined,
    selectable: (id) =>
      id === registry.schemas.defaultId || registry.schemas.get(id)?.selfserviceSelectable === true,
  };
  // The login form's identifier label, per identity schema (read once: schemas are fixed at start).
  const labels = new Map<string, ReturnType<typeof identifierLabel>>();
  const labelOf = (identitySchema: string | undefined) => {
    const { id, document } = flowSchema(flowSchemas, identitySchema);
    let label = labels.get(id);
    if (label === undefined) {
      label = identifierLabel(document);
      labels.set(id, label);
    }
    return label;
  };

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
    schemaUrl: registry.identitySchemas.schemaUrl,
    flowSchemas,
    cipher: registry.cipher,
    loginNodes: (identitySchema, identifier) =>
      loginPasswordNodes({ identifierLabel: labelOf(identitySchema), identifier }),
    identifierFirst:
      settings.login.style === 'identifier_first'
        ? {
            identifyNodes: (identitySchema, identifier) =>
              identifierFirstNodes(labelOf(identitySchema), identifier),
            credentialNodes: (identitySchema, identifier, withPassword) =>
              identifierFirstCredentialNodes(labelOf(identitySchema), identifier, withPassword),
            mitigateEnumeration: settings.mitigateAccountEnumeration,
          }
        : undefined,
    oauth2Provider,
    now,
  };
  const registration: RegistrationDeps = {
    flows,
    sessions: registry.sessions,
    identities: registry.identities,
    schemas: registry.identitySchemas,
    flowSchemas,
    cipher: registry.cipher,
    passwordPolicy: resolvePasswordPolicyConfig(settings.password.config),
    breaches: createHibpClient(),
    returnTo,
    trustedProxies,
    config: settings,
    publicBase,
    cookies,
    tokens,
    registrationNodes: (schemaDocument, step, values) =>
      step === 'password' && settings.registration.style === 'profile_first'
        ? registrationPasswordStepNodes(schemaDocument, { values: values ?? {} })
        : registrationPasswordNodes(schemaDocument, {
            style: settings.registration.style,
            values,
            profileGroup: settings.registration.passwordProfileGroup,
          }),
    passwordStepMessages: registrationPasswordStepMessages,
    oauth2Provider,
    now,
  };
  const oneTime: OneTimeDeps = {
    db: registry.database.db,
    codes: createCodeStore(registry.database.db),
    addresses: createAddressStore(registry.database.db),
    identities: registry.identityStore,
    sessions: registry.sessions,
    courier: registry.courier,
    secretKeys: config.secrets.default,
    mailLimit: async (kind, address) =>
      mailLimit === undefined
        ? { allowed: true }
        : fixedWindowLimit(counters, `mail:${kind}`, address, mailLimit, Date.now()),
    async identityJson(identityId, audience = 'owner') {
      const identity = await registry.identityStore.get(identityId);
      return identity
        ? serializeIdentity(identity, {
            admin: audience === 'hooks',
            schemaUrl: registry.identitySchemas.schemaUrl(identity.schema_id),
          })
        : undefined;
    },
    config: settings,
    publicBase,
    responseFloorMs: SEND_RESPONSE_FLOOR_MS,
    now,
  };
  // A taken identifier that is an address, not a login identifier, still finds the account to hint at.
  registration.addresses = oneTime.addresses;
  const identityById = (id: string) => registry.identityStore.get(id);
  const verification: VerificationDeps = {
    ...oneTime,
    flows,
    sessions: registry.sessions,
    identityById,
    cookies,
    returnTo,
    smsLimit: createSmsLimiter(smsLimit.value, counters),
  };
  const verificationSender = createVerificationSender(verification, registry.logger);
  registration.verification = verificationSender;
  // `require_verified_address` and the login `verification` hook start verification flows too.
  login.verification = verificationSender;
  const settingsFlow = buildSettingsDeps(
    registry,
    { ...login, breaches: registration.breaches },
    verificationSender,
  );
  const recovery: RecoveryDeps = {
    ...oneTime,
    flows,
    sessions: registry.sessions,
    identityById,
    startSettings: (input) => createSettingsFlow(settingsFlow, input),
    trustedProxies,
    cookies,
    tokens,
    returnTo,
  };
  // Web hooks of every flow; each one in the config is read now, so a broken one stops the start.
  const templates = createTemplateSource({ cwd: process.cwd(), http: registry.http });
  const hooks = createHookRunner({
    jsonnet: registry.jsonnet,
    templates,
    http: registry.http,
    outbox: registry.webhookOutbox,
    db: registry.database.db,
    logger: registry.logger,
    timeoutMs: WEB_HOOK_TIMEOUT_MS,
    config: settings,
    publicBase,
    headerAllowlist: webHookHeaderAllowlist(config.document),
  });
  login.hooks = hooks;
  login.migrationHook = createPasswordMigrationHook(
    (settings.password.config.migrate_hook ?? {}) as Record<string, unknown>,
    {
      http: registry.http,
      jsonnet: registry.jsonnet,
      templates,
      logger: registry.logger,
      timeoutMs: WEB_HOOK_TIMEOUT_MS,
    },
  );
  registration.hooks = hooks;
  verification.hooks = hooks;
  recovery.hooks = hooks;
  settingsFlow.hooks = hooks;

  const oidc = buildOidcDeps(registry, { login, registration, settings: settingsFlow, templates });

  const errors: SelfServiceErrorDeps = {
    store: createSelfServiceErrorStore(registry.database.db),
    uiUrl: settings.error.uiUrl,
    settingsUiUrl: settings.settings.uiUrl,
    cookies,
    now,
  };
  const logout: LogoutDeps = {
    sessions: registry.sessions,
    tokens,
    cookies,
    // As Kratos, an empty return_to means the logout default, and a relative one takes that
    // default's scheme and host.
    returnTo: createReturnToValidator({
      allowedReturnUrls: settings.allowedReturnUrls,
      defaultReturnUrl: settings.logout.returnUrl,
      publicBaseUrl: publicBase,
    }),
    publicBase,
  };
  return {
    login,
    registration,
    logout,
    verification,
    recovery,
    settings: settingsFlow,
    oidc,
    errors,
    async close() {
      redis?.disconnect();
    },
  };
}
