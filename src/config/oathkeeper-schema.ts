import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ConfigSchemaExtension } from './schema.js';
import oathkeeperSchema from './vendor/oathkeeper.config.schema.json' with { type: 'json' };

/**
 * `$id` under which the vendored Oathkeeper schema's `definitions` are registered, so the
 * root keys taken from it can `$ref` them (`ory://oathkeeper-config#/definitions/cors`).
 */
export const OATHKEEPER_SCHEMA_ID = 'ory://oathkeeper-config';

/** Oathkeeper root keys merged beside Kratos's (none collide). */
export const OATHKEEPER_ROOT_KEYS = [
  'access_rules',
  'authenticators',
  'authorizers',
  'mutators',
  'errors',
] as const;

/**
 * Oathkeeper listeners added under `serve` (Kratos has `public` and `admin`): the proxy, the
 * decision API and the metrics listener (`serve.prometheus`, which the Oathkeeper Helm chart's
 * default values set; read by config/areas/prometheus.ts).
 */
export const OATHKEEPER_SERVE_KEYS = ['proxy', 'api', 'prometheus'] as const;

/**
 * Oathkeeper's keys, taken from the vendored schema (vendor/oathkeeper.config.schema.json,
 * never edited): its `access_rules`, `authenticators`, `authorizers`, `mutators`, `errors`
 * root keys and its `serve.proxy`, `serve.api` and `serve.prometheus` listeners. Oathkeeper's
 * `log`, `tracing`, `profiling` and `version` are not taken: Kratos's own keys cover them.
 */
export function oathkeeperExtension(): ConfigSchemaExtension {
  const vendored = asObject(oathkeeperSchema, 'oathkeeper schema');
  const properties = asObject(vendored.properties, 'oathkeeper properties');
  const serve = asObject(
    asObject(properties.serve, 'oathkeeper serve').properties,
    'oathkeeper serve.properties',
  );
  const definitions = asObject(vendored.definitions, 'oathkeeper definitions');

  const pick = (from: JsonObject, keys: readonly string[]): Record<string, JsonObject> =>
    Object.fromEntries(keys.map((key) => [key, asObject(rewriteRefs(from[key]), `oathkeeper ${key}`)]));

  return {
    name: 'oathkeeper',
    properties: pick(properties, OATHKEEPER_ROOT_KEYS),
    serveProperties: pick(serve, OATHKEEPER_SERVE_KEYS),
    referencedSchemas: [
      {
        $id: OATHKEEPER_SCHEMA_ID,
        $schema: 'http://json-schema.org/draft-07/schema#',
        definitions: cloneJson(definitions),
      },
    ],
  };
}

/** Points the local `#/definitions/...` refs of a copied subtree at {@link OATHKEEPER_SCHEMA_ID}. */
function rewriteRefs(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item) ?? null);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string' && item.startsWith('#/')
        ? `${OATHKEEPER_SCHEMA_ID}${item}`
        : (rewriteRefs(item) ?? null);
  }
  return out;
}

function asObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`config schema: ${what} is not an object`);
  return value;
}
