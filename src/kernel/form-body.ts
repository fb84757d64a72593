/**
 * A form-encoded request body from a Jsonnet template's JSON: Kratos's request builder (used by
 * web hooks and the courier's HTTP channel) takes `application/x-www-form-urlencoded` bodies as
 * a `map[string]string`, so the JSON must be an object of strings; keys are sorted, as Go's
 * `url.Values.Encode` writes them. Undefined for any other shape.
 */
export function formEncode(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) return undefined;
  return new URLSearchParams(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
}

/** Whether a `Content-Type` value names the form encoding (parameters and case aside). */
export function isFormContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
