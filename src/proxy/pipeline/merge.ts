import { isPlainObject } from '../template/values.js';

/**
 * Oathkeeper's handler config merge (a JSON merge patch, RFC 7386, of the rule's config over
 * the global one): objects merged key by key, `null` removes a key, everything else (arrays
 * included) replaced. Returns a fresh object.
 */
export function deepMerge(base: unknown, override: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? structuredClone(base) : {};
  if (!isPlainObject(override)) return out;
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__') continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : structuredClone(value);
  }
  return out;
}
