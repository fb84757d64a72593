/**
 * Ajv only accepts keyword names made of letters, digits, `_`, `$`, `:` and `-`, so it cannot
 * register `ory.sh/kratos` as a keyword. The schema is compiled from a copy in which the
 * keyword is renamed to {@link COMPILED_EXTENSION_KEYWORD}; the original document is what the
 * API serves. Only keys in schema positions are renamed: a trait literally named
 * `ory.sh/kratos` inside `properties`, or such a key inside `default`/`const`/`enum` data,
 * stays as it is.
 */

import type { JsonObject, JsonValue } from '../model.js';
import { isJsonObject } from './json.js';

/** The extension keyword as written in identity schemas. */
export const EXTENSION_KEYWORD = 'ory.sh/kratos';
/** The name the keyword is registered under in Ajv. */
export const COMPILED_EXTENSION_KEYWORD = 'x-ory-sh-kratos';

/** Keywords whose value is a map from names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/** Keywords whose value is a subschema, or (`items`, `prefixItems`) possibly an array of them. */
const SCHEMA_VALUES = new Set([
  'additionalProperties',
  'additionalItems',
  'items',
  'prefixItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf']);

/** Returns a deep copy of a schema with every `ory.sh/kratos` keyword renamed for Ajv. */
export function renameExtensionKeyword(schema: JsonValue): JsonValue {
  if (!isJsonObject(schema)) return structuredClone(schema);
  // Object.fromEntries defines own properties, so a `__proto__` key stays a key.
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => renameEntry(key, value)));
}

function renameEntry(key: string, value: JsonValue): [string, JsonValue] {
  if (key === EXTENSION_KEYWORD) return [COMPILED_EXTENSION_KEYWORD, structuredClone(value)];
  if (SCHEMA_MAPS.has(key) && isJsonObject(value)) return [key, mapValues(value, renameExtensionKeyword)];
  if (key === 'dependencies' && isJsonObject(value)) {
    // draft-07 `dependencies` mixes subschemas with arrays of property names.
    return [
      key,
      mapValues(value, (dep) => (Array.isArray(dep) ? structuredClone(dep) : renameExtensionKeyword(dep))),
    ];
  }
  if (SCHEMA_VALUES.has(key) || SCHEMA_ARRAYS.has(key)) {
    return [key, Array.isArray(value) ? value.map(renameExtensionKeyword) : renameExtensionKeyword(value)];
  }
  return [key, structuredClone(value)];
}

function mapValues(object: JsonObject, fn: (value: JsonValue) => JsonValue): JsonObject {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
}
