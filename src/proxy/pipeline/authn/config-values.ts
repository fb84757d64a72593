/** Readers for values of a handler config that the schema has validated already. */

/** The strings of a string array (anything else reads as empty). */
export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether `text` is an absolute http: or https: URL (the schema's `format: uri` allows any scheme). */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
