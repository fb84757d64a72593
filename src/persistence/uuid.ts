/** Row ids are UUIDs. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The stored form of an id: ids are written lower-case, and Kratos parses a UUID given in any
 * case, so `0F1E…` names the same row as `0f1e…`. Undefined for anything that is not a UUID (no
 * row can have it, so the store need not ask).
 */
export function uuidKey(value: string): string | undefined {
  return UUID.test(value) ? value.toLowerCase() : undefined;
}

/** The stored forms of those of `values` that are UUIDs. */
export function uuidKeys(values: readonly string[]): string[] {
  return values.flatMap((value) => uuidKey(value) ?? []);
}
