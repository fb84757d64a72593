/**
 * The GJSON path subset `subject_from` / `extra_from` use: dotted keys (`identity.traits.email`),
 * `\.` to escape a dot in a key, array indices (`items.0`), `#` for an array's length, and
 * `@this` for the whole document. Wildcards, queries and modifiers other than `@this` are not
 * supported and match nothing. Returns undefined when the path does not exist.
 */
export function gjsonGet(document: unknown, path: string): unknown {
  if (path === '@this') return document;
  if (path === '') return undefined;
  let value = document;
  for (const key of splitPath(path)) {
    if (Array.isArray(value)) {
      if (key === '#') value = value.length;
      else if (/^\d+$/.test(key)) value = value[Number(key)];
      else return undefined;
    } else if (typeof value === 'object' && value !== null) {
      if (/[*?]/.test(key) || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
    if (value === undefined) return undefined;
  }
  return value;
}

function splitPath(path: string): string[] {
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && i + 1 < path.length) key += path[++i];
    else if (c === '.') {
      keys.push(key);
      key = '';
    } else key += c;
  }
  keys.push(key);
  return keys;
}
