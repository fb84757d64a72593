/**
 * Lenient reads of an already validated config document, for the typed area views: the schema
 * has checked the types, so these only fold "absent" (and YAML's `key:` with nothing after it)
 * into one answer each, instead of every area repeating the same three guards.
 */

/** A config object, read loosely. */
export type ConfigDoc = Record<string, unknown>;

/** `value` when it is an object, else an empty one (absent, null, or a YAML key with no value). */
export function objectOrEmpty(value: unknown): ConfigDoc {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ConfigDoc) : {};
}

/** `value` when it is a non-empty string; Kratos treats an empty string as unset. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The strings in `value` when it is an array, else none. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
