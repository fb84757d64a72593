/**
 * Submitted values keyed by node name, as Kratos's `jsonx.Flatten` keys them before it copies
 * values into a form: objects become dotted names, array entries get their index, and a dot
 * inside a key is escaped as `\.` (so it never matches a schema field, as in Kratos).
 */

import type { JsonObject, JsonValue } from '../../identity/model.js';

/** `{ traits: { name: { first: 'A' } } }` becomes `traits.name.first -> 'A'`. */
export function flattenValues(values: JsonObject): Map<string, JsonValue> {
  const flat = new Map<string, JsonValue>();
  collect(values, [], flat);
  return flat;
}

function collect(value: JsonValue, parents: readonly string[], flat: Map<string, JsonValue>): void {
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) collect(entry, [...parents, String(index)], flat);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, entry] of Object.entries(value))
      collect(entry, [...parents, key.replaceAll('.', '\\.')], flat);
  } else {
    flat.set(parents.join('.'), value);
  }
}
