import { parseCsvRecord } from './csv-record.js';
import type { JsonValue } from './json.js';
import type { SchemaPath, SchemaType } from './schema-paths.js';

/** The typed value of an env var, or why its text does not fit the key's type. */
export type Coerced = { ok: true; value: JsonValue } | { ok: false; reason: string };

/**
 * Turns an env var's text into the type the schema expects at its key, as Kratos does:
 * numbers and booleans parsed, a scalar array from a CSV list (or a JSON array), objects
 * and arrays of objects from JSON. A key with several types tries JSON first when the text
 * looks like JSON, then integer, number, boolean, and finally string.
 */
export function coerceEnvValue(text: string, target: SchemaPath): Coerced {
  const types = target.types;
  const trimmed = text.trim();
  const looksLikeJson = trimmed.startsWith('{') || trimmed.startsWith('[');
  // No type in the schema (hook `config`, ...): JSON when it parses, else the text.
  if (types.size === 0) return looksLikeJson ? parseJson(trimmed, 'JSON') : { ok: true, value: text };

  if (looksLikeJson && (types.has('object') || types.has('array'))) {
    const parsed = parseJson(trimmed, types.has('array') ? 'a JSON array' : 'a JSON object');
    if (!parsed.ok || types.has('string')) return parsed;
    const isArray = Array.isArray(parsed.value);
    if (isArray ? types.has('array') : types.has('object')) return parsed;
    return { ok: false, reason: `expected ${types.has('array') ? 'a JSON array' : 'a JSON object'}` };
  }
  if (types.has('array') && isScalarList(target.itemTypes)) return commaList(trimmed, target.itemTypes);
  if (types.has('integer') && /^[+-]?\d+$/.test(trimmed)) return { ok: true, value: Number(trimmed) };
  if (types.has('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) {
    return { ok: true, value: Number(trimmed) };
  }
  if (types.has('boolean')) {
    const flag = parseBoolean(trimmed);
    if (flag !== undefined) return { ok: true, value: flag };
  }
  if (types.has('string')) return { ok: true, value: text };
  return { ok: false, reason: `expected ${describe(types, target.itemTypes)}` };
}

function isScalarList(itemTypes: ReadonlySet<SchemaType>): boolean {
  return !itemTypes.has('object') && !itemTypes.has('array');
}

// CSV, as configx reads it (see parseCsvRecord): `"a,1","b"` is two items.
function commaList(text: string, itemTypes: ReadonlySet<SchemaType>): Coerced {
  const fields = parseCsvRecord(text);
  if (fields === undefined) {
    return {
      ok: false,
      reason: 'expected a comma-separated list; a quoted item must close its quote just before a comma',
    };
  }
  const items: JsonValue[] = [];
  for (const item of fields) {
    const coerced = coerceScalar(item, itemTypes);
    if (coerced === undefined)
      return { ok: false, reason: `expected a comma-separated list of ${[...itemTypes].join(' or ')}` };
    items.push(coerced);
  }
  return { ok: true, value: items };
}

function coerceScalar(text: string, types: ReadonlySet<SchemaType>): JsonValue | undefined {
  if (types.size === 0 || types.has('string')) return text;
  if (types.has('integer') && /^[+-]?\d+$/.test(text)) return Number(text);
  if (types.has('number') && Number.isFinite(Number(text))) return Number(text);
  if (types.has('boolean')) return parseBoolean(text);
  return undefined;
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return undefined;
}

// The reason never repeats the text: the variable may hold a secret (OIDC client secrets).
function parseJson(text: string, what: string): Coerced {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch {
    return { ok: false, reason: `expected ${what}, but the value is not valid JSON` };
  }
}

function describe(types: ReadonlySet<SchemaType>, itemTypes: ReadonlySet<SchemaType>): string {
  const names = [...types].map((type) => {
    if (type === 'boolean') return 'a boolean (true, false, 1 or 0)';
    if (type === 'integer') return 'an integer';
    if (type === 'number') return 'a number';
    if (type === 'object') return 'a JSON object';
    if (type === 'array') return isScalarList(itemTypes) ? 'a comma-separated list' : 'a JSON array';
    return type;
  });
  return names.join(' or ');
}
