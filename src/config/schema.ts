import { BRUTE_FORCE_CONFIG_SCHEMA } from '../ratelimit/config-schema.js';
import { MAIL_LIMIT_CONFIG_SCHEMA } from '../ratelimit/mail-limit-schema.js';
import { UI_CONFIG_SCHEMA } from '../ui/config.js';
import { SMS_LIMIT_CONFIG_SCHEMA } from './areas/sms-limit.js';
import { cloneJson, isJsonObject, type JsonObject } from './json.js';
import { oathkeeperExtension } from './oathkeeper-schema.js';
import kratosSchema from './vendor/kratos.config.schema.json' with { type: 'json' };
import otelxSchema from './vendor/otelx.config.schema.json' with { type: 'json' };

/**
 * Keys that a part of Portcullis adds to the Kratos config schema: Oathkeeper's root keys
 * (`access_rules`, `authenticators`, ...) and listeners (`serve.proxy`, `serve.api`), or
 * Portcullis-only keys such as `cache`.
 */
export interface ConfigSchemaExtension {
  /** Names the extension in programmer errors. */
  readonly name: string;
  /** JSON Schemas of new root keys. */
  readonly properties?: Readonly<Record<string, JsonObject>>;
  /** JSON Schemas of new `serve.*` listeners. */
  readonly serveProperties?: Readonly<Record<string, JsonObject>>;
  /** New keys inside existing objects, by the object's dotted path (`security` -> `brute_force`). */
  readonly nestedProperties?: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  /** Schemas the properties `$ref` by `$id` (for example `ory://logging-config`). */
  readonly referencedSchemas?: readonly JsonObject[];
  /** Extra env var names: alias -> canonical name (`REDIS_URL` -> `CACHE_REDIS_URL`). */
  readonly envAliases?: Readonly<Record<string, string>>;
}

/** The schema a config document is validated against, with what the env mapping needs. */
export interface ConfigSchema {
  /** Root schema: the Kratos schema plus the extensions' keys. */
  readonly root: JsonObject;
  /** Schemas the root `$ref`s by `$id` (`ory://tracing-config`, ...). */
  readonly referencedSchemas: readonly JsonObject[];
  /** Env alias -> canonical env name; the canonical name wins when both are set. */
  readonly envAliases: ReadonlyMap<string, string>;
}

/**
 * Portcullis's own keys. `security.brute_force` configures login throttling (see ratelimit/). `ui`
 * configures the built-in self-service pages (see ui/config.ts). `cache.redis.url` is where the session cache and rate-limit
 * counters live when set; without it they stay in process. `REDIS_URL` is accepted as an
 * alias of `CACHE_REDIS_URL` because hosting platforms set it when a Redis is attached.
 */
export const portcullisExtension: ConfigSchemaExtension = {
  name: 'portcullis',
  properties: {
    cache: {
      title: 'Cache (Portcullis)',
      description: 'Shared cache for sessions and counters. Without redis.url they are kept in process.',
      type: 'object',
      additionalProperties: false,
      properties: {
        redis: {
          type: 'object',
          additionalProperties: false,
          properties: {
            url: {
              type: 'string',
              format: 'uri',
              description: 'redis:// or rediss:// URL. Env: CACHE_REDIS_URL, or REDIS_URL as an alias.',
              examples: ['redis://:password@redis:6379/0'],
            },
            key_prefix: {
              type: 'string',
              minLength: 1,
              default: 'portcullis:',
              description:
                'Prefix of every key and of the invalidation channel, so environments can share a Redis.',
            },
          },
        },
      },
    },
    ui: UI_CONFIG_SCHEMA,
  },
  nestedProperties: {
    security: {
      brute_force: BRUTE_FORCE_CONFIG_SCHEMA,
      mail_limit: MAIL_LIMIT_CONFIG_SCHEMA,
      sms_limit: SMS_LIMIT_CONFIG_SCHEMA,
    },
  },
  envAliases: { REDIS_URL: 'CACHE_REDIS_URL' },
};

/**
 * Extensions applied when the caller names none: Portcullis's keys and Oathkeeper's
 * (`serve.proxy`, `serve.api`, `access_rules`, `authenticators`, `authorizers`, `mutators`,
 * `errors`; see oathkeeper-schema.ts).
 */
export const defaultExtensions: readonly ConfigSchemaExtension[] = [
  portcullisExtension,
  oathkeeperExtension(),
];

/**
 * Builds the validating schema: a clone of the vendored Kratos schema (never edited in place)
 * with each extension's keys added. Throws a plain Error when an extension redefines an
 * existing key: that is a programming mistake, not a user's config error.
 */
export function buildConfigSchema(
  extensions: readonly ConfigSchemaExtension[],
  base: JsonObject = asSchema(kratosSchema, 'kratos'),
): ConfigSchema {
  const root = cloneJson(base);
  const rootProperties = objectAt(root, 'properties', 'root');
  const serveProperties = objectAt(objectAt(rootProperties, 'serve', 'serve'), 'properties', 'serve');
  const referencedSchemas: JsonObject[] = [cloneJson(asSchema(otelxSchema, 'otelx'))];
  const envAliases = new Map<string, string>();

  for (const extension of extensions) {
    addProperties(rootProperties, extension.properties, extension.name, '');
    addProperties(serveProperties, extension.serveProperties, extension.name, 'serve.');
    for (const [path, additions] of Object.entries(extension.nestedProperties ?? {})) {
      let target = rootProperties;
      for (const key of path.split('.')) target = objectAt(objectAt(target, key, path), 'properties', path);
      addProperties(target, additions, extension.name, `${path}.`);
    }
    for (const schema of extension.referencedSchemas ?? []) referencedSchemas.push(cloneJson(schema));
    for (const [alias, canonical] of Object.entries(extension.envAliases ?? {})) {
      if (envAliases.has(alias))
        throw new Error(`config extension ${extension.name}: env alias ${alias} is taken`);
      envAliases.set(alias, canonical);
    }
  }
  return { root, referencedSchemas, envAliases };
}

let defaultSchema: ConfigSchema | undefined;

/** The schema with {@link defaultExtensions}, built once per process. */
export function defaultConfigSchema(): ConfigSchema {
  defaultSchema ??= buildConfigSchema(defaultExtensions);
  return defaultSchema;
}

/** Root keys the Kratos schema requires that only the identity side (public, admin) reads. */
export const IDENTITY_REQUIRED_KEYS: readonly string[] = ['dsn', 'identity', 'selfservice'];

const accessSchemas = new WeakMap<ConfigSchema, ConfigSchema>();

/**
 * `schema` for a process that runs no identity role (`serve --roles proxy,api`): the same keys
 * and checks, minus the root requirement of {@link IDENTITY_REQUIRED_KEYS}. Keys that are
 * present are validated as usual. Built once per schema.
 */
export function accessConfigSchema(schema: ConfigSchema): ConfigSchema {
  let access = accessSchemas.get(schema);
  if (access === undefined) {
    const root = cloneJson(schema.root);
    const required = root.required;
    if (Array.isArray(required))
      root.required = required.filter(
        (key) => typeof key !== 'string' || !IDENTITY_REQUIRED_KEYS.includes(key),
      );
    access = { ...schema, root };
    accessSchemas.set(schema, access);
  }
  return access;
}

function addProperties(
  target: JsonObject,
  additions: Readonly<Record<string, JsonObject>> | undefined,
  extension: string,
  prefix: string,
): void {
  for (const [key, schema] of Object.entries(additions ?? {})) {
    if (Object.hasOwn(target, key))
      throw new Error(`config extension ${extension}: ${prefix}${key} already exists`);
    target[key] = cloneJson(schema);
  }
}

// The JSON modules are typed by their literal shape; narrow them at runtime instead of casting.
function asSchema(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`config schema: vendored ${what} schema is not an object`);
  return value;
}

function objectAt(parent: JsonObject, key: string, what: string): JsonObject {
  const value = parent[key];
  if (!isJsonObject(value)) throw new Error(`config schema: ${what} has no ${key} object`);
  return value;
}
