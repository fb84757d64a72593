import type { JsonObject, JsonValue } from '../../identity/model.js';
import { isRecord } from '../../kernel/json.js';

/**
 * HTML forms send every value as text; the identity schema says which traits are numbers or
 * booleans. Converts those (and only where the text really is one), as Kratos decodes form
 * bodies against the schema, so `phone_number=5551234` validates as a number.
 */
export function coerceFormTraits(schemaDocument: JsonObject, traits: JsonObject): JsonObject {
  const traitsSchema = (schemaDocument.properties as Record<string, unknown> | undefined)?.traits;
  return coerceObject(traitsSchema, traits);
}

function coerceObject(schema: unknown, value: JsonObject): JsonObject {
  const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) out[key] = coerceValue(properties[key], item);
  return out;
}

function coerceValue(schema: unknown, value: JsonValue): JsonValue {
  if (!isRecord(schema)) return value;
  if (isRecord(value)) return coerceObject(schema, value as JsonObject);
  if (typeof value !== 'string') return value;
  const type = schema.type;
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  if (type === 'boolean') {
    if (value === 'true' || value === 'on') return true;
    if (value === 'false' || value === '') return false;
  }
  // An empty optional text field is no value at all, as a browser means it.
  if (value === '' && type !== 'string') return null;
  return value;
}

/** Drops empty strings a browser sends for optional fields left blank. */
export function withoutEmpty(traits: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(traits)) {
    if (value === '' || value === null) continue;
    out[key] = isRecord(value) ? withoutEmpty(value as JsonObject) : value;
  }
  return out;
}
