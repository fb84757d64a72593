/**
 * JSON value types and the few tree operations the loader needs (merge, read, write by path).
 * Internal to `src/config`.
 */

import { isJsonObject, type JsonObject, type JsonValue } from '../kernel/json.js';

export { isJsonObject, type JsonObject, type JsonValue };

/**
 * Deep merge as Kratos's koanf does it: objects merge key by key, while arrays and scalars from
 * `override` replace what `base` had. Neither input is modified.
 */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isJsonObject(current) && isJsonObject(value) ? deepMerge(current, value) : cloneJson(value);
  }
  return out;
}

/** A deep copy, so later writes (defaults, env) never alias a caller's object. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** The value at `path` (object keys or array indices), or undefined when any step is missing. */
export function getPath(root: JsonValue, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const key of path) {
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined;
    else if (isJsonObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** The object at `path`, or undefined when it is missing or not an object. */
export function getObject(root: JsonValue, path: readonly string[]): JsonObject | undefined {
  const value = getPath(root, path);
  return isJsonObject(value) ? value : undefined;
}

/** True when `path` holds a value; a YAML `key:` with nothing after it (null) counts as unset. */
export function hasValue(root: JsonValue, path: readonly string[]): boolean {
  const value = getPath(root, path);
  return value !== undefined && value !== null;
}

/**
 * Sets `value` at `path` (object keys only), creating objects on the way. A non-object in the
 * way is replaced: the caller decided this key wins (env over files, defaults only when unset).
 */
export function setPath(root: JsonObject, path: readonly string[], value: JsonValue): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isJsonObject(next)) node = next;
    else {
      const created: JsonObject = {};
      node[key] = created;
      node = created;
    }
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

/** Dotted form of a path for messages: `['serve', 'public', 'port']` -> `serve.public.port`. */
export function dotted(path: readonly string[]): string {
  return path.join('.');
}
