/**
 * Configuration: Kratos-compatible YAML/JSON files, Kratos's env var names on top, `--dev`
 * defaults, validation against the vendored Kratos schema plus Portcullis's extensions, and
 * typed per-area views.
 *
 * @example
 * const config = await loadConfig({ files: ['kratos.yml'], env: process.env, dev: false, cwd: process.cwd() });
 * for (const warning of config.warnings) logger.warn(warning);
 * logger.info({ config: redactConfig(config.document) }, 'config loaded');
 *
 * // A process that runs only the access proxy (no dsn, identity, selfservice or secrets needed):
 * const access = await loadAccessConfig({ files: ['oathkeeper.yml'], env: process.env, dev: false, cwd: process.cwd() });
 */

export { type CacheConfig, cacheConfig } from './areas/cache.js';
export { type CorsConfig, corsConfig, readCors } from './areas/cors.js';
export {
  COURIER_TEMPLATE_DIRS,
  type CourierConfig,
  type CourierTemplateDir,
  type CourierTemplateVariant,
  courierConfig,
  type EmailTemplateRefs,
} from './areas/courier.js';
export { ARGON2_DEFAULTS, BCRYPT_DEFAULT_COST, hashersConfig } from './areas/hashers.js';
export { type IdentityConfig, identityConfig } from './areas/identity.js';
export { type LogConfig, logConfig } from './areas/log.js';
export type { AreaResult } from './areas/result.js';
export { secretsConfig } from './areas/secrets.js';
export {
  type FlowAfter,
  type HookConfig,
  type SelfServiceConfig,
  type SelfServiceFlowConfig,
  selfServiceConfig,
} from './areas/selfservice.js';
export { parseBaseUrl, serveConfig } from './areas/serve.js';
export { type SameSite, type SessionConfig, sessionConfig } from './areas/session.js';
export { type ConfigDefaults, DEFAULT_PORTS, DEV_DATA_DIR_NAME, isMemoryDsn } from './defaults.js';
export { DEV_SECRETS_FILE } from './dev-secrets.js';
export { type ConfigDoc, nonEmptyString, objectOrEmpty, stringList } from './document-read.js';
export { ENV_EXCLUDED_ROOT_KEYS, type EnvIndex, type EnvMatch, envIndexFor, resolveEnvName } from './env.js';
export { ConfigError, type ConfigIssue, formatIssues, isConfigError } from './errors.js';
export type { JsonObject, JsonValue } from './json.js';
export { type LoadConfigOptions, loadAccessConfig, loadConfig } from './load.js';
export { isSecretKey, REDACTED, redactConfig, redactUrl } from './redact.js';
export {
  accessConfigSchema,
  buildConfigSchema,
  type ConfigSchema,
  type ConfigSchemaExtension,
  defaultConfigSchema,
  defaultExtensions,
  IDENTITY_REQUIRED_KEYS,
  portcullisExtension,
} from './schema.js';
export type { SchemaPath, SchemaType } from './schema-paths.js';
export type {
  AccessConfig,
  Config,
  HashersConfig,
  IdentityDocument,
  IdentitySchemaDocument,
  KratosConfigDocument,
  ListenerConfig,
  ListenerDocument,
  LogLevel,
  SecretsConfig,
  SelfServiceDocument,
} from './types.js';
