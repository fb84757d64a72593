/**
 * The order in which an identity schema's document writes its leaf keys (Kratos's
 * `schema.GetKeysInOrder`), which is the order Kratos sorts trait fields into. Kratos lists paths
 * alphabetically and relies on this sort, so a form shows fields as the schema author wrote them.
 */

import type { JsonObject, JsonValue } from '../../identity/model.js';
import { isJsonObject } from '../../kernel/json.js';

/**
 * Every leaf key of `document` in document order, dotted from the root, e.g. `traits.email`,
 * `traits.name.first`. Like Kratos it walks the raw document: only schemas whose `type` is the
 * string `object` are descended into, `$ref` is not followed (a referenced object is one key),
 * and a dot inside a property name is escaped as `\.`.
 */
export function schemaKeysInOrder(document: JsonObject): string[] {
  const keys: string[] = [];
  collect(document, [], keys);
  return keys;
}

function collect(schema: JsonValue, parents: readonly string[], keys: string[]): void {
  if (!isJsonObject(schema) || schema.type !== 'object') {
    keys.push(parents.join('.'));
    return;
  }
  const properties = schema.properties;
  if (!isJsonObject(properties)) return;
  // JavaScript keeps insertion order for every key except integer-like ones, which it moves first.
  for (const [key, value] of Object.entries(properties)) {
    collect(value, [...parents, key.replaceAll('.', '\\.')], keys);
  }
}
