/** Small JSON helpers shared by the schema module. */

import type { JsonValue } from '../model.js';

export { isJsonObject } from '../../kernel/json.js';

/**
 * Deep-copies a value through a JSON round trip, which is also what the value would look like
 * after being stored and read back. Returns undefined for values JSON cannot carry (BigInt,
 * cycles). `undefined` becomes `null` so that missing traits fail as `expected object, but got null`,
 * as in Kratos.
 */
export function cloneJson(value: unknown): JsonValue | undefined {
  try {
    const text = JSON.stringify(value === undefined ? null : value);
    return text === undefined ? null : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

/** Freezes a JSON value and everything in it, so a shared schema document cannot be edited by a caller. */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Escapes one JSON pointer reference token (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The JSON type name of a value, as JSON Schema error messages spell it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return typeof value;
  }
}
