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
