/**
 * JSON value types and the one object test every module needs. Identities, sessions, config,
 * flows and access rules all hold parsed JSON; they share these rather than each declaring its
 * own (structurally equal) copy.
 */

/** A JSON value as `JSON.parse` (or a YAML document without custom tags) produces it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for an object that is neither null nor an array: what a JSON object parses to. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The same test, for values not known to be JSON (a request body, a decoded token): the keys
 * are there to be read, their values still to be checked.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deeply arrays and objects may nest in a JSON document a request brings: a body (checked as
 * it is parsed, src/app/http.ts) or one a JSON Patch builds (src/identity/patch-rules.ts). What reads
 * a parsed document (JSON.stringify when it is stored or answered, schema validation, a deep clone)
 * recurses once per level and overflows the stack a few thousand levels down, which would be a 500
 * (Go's decoder, behind Kratos, refuses at 10000 levels with a 400). 512 is far beyond any real
 * document (an identity's traits and metadata are a few levels deep; a batch import puts them five
 * levels down) and leaves those readers a wide margin.
 */
export const MAX_JSON_NESTING = 512;
