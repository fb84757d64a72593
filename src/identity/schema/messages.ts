/**
 * Turns Ajv errors into Kratos-shaped validation errors: JSON pointers with a `#` prefix that
 * point at the offending value (for `required`, at the missing property), and the message
 * wording of ory/jsonschema, the validator Kratos uses (`missing properties: "fullname"`,
 * `value must be one of "student", "educator"`), so clients that show or match Kratos's
 * texts keep working.
 */

import type { ErrorObject } from 'ajv';
import type { JsonObject, JsonValue } from '../model.js';
import { cloneJson, escapePointerToken, jsonTypeOf } from './json.js';
import type { TraitsValidationError } from './types.js';

type Described = { message: string; context: JsonObject };

/** Converts Ajv errors (compiled with `verbose: true`) to validation errors, dropping duplicates. */
export function toValidationErrors(errors: readonly ErrorObject[]): TraitsValidationError[] {
  const out: TraitsValidationError[] = [];
  // Ajv reports each extra property on its own; ory/jsonschema reports one error per object
  // naming them all. The first error of a group stands for the group, in its place.
  const extras = new Map<string, { entry: TraitsValidationError; names: string[] }>();
  for (const error of errors) {
    // `if` only repeats that the `then`/`else` branch failed; that branch's own errors say why.
    if (error.keyword === 'if') continue;
    const extra = extraProperty(error);
    if (extra !== undefined) {
      const key = `${error.keyword}\u0000${error.instancePath}\u0000${error.schemaPath}`;
      const group = extras.get(key);
      if (group !== undefined) {
        if (!group.names.includes(extra)) group.names.push(extra);
        continue;
      }
      const entry: TraitsValidationError = {
        pointer: pointerOf(error),
        keyword: error.keyword,
        message: '',
        context: {},
      };
      extras.set(key, { entry, names: [extra] });
      out.push(entry);
      continue;
    }
    const { message, context } = describe(error);
    out.push({ pointer: pointerOf(error), keyword: error.keyword, message, context });
  }
  for (const { entry, names } of extras.values()) {
    // `additionalProperties "a", "b" not allowed`, as ory/jsonschema's strconv.Quote + ", ".
    entry.message = `${entry.keyword} ${names.map(quote).join(', ')} not allowed`;
    entry.context = { properties: names };
  }
  return dedupeErrors(out);
}

/** The property an `additionalProperties: false` / `unevaluatedProperties: false` error names. */
function extraProperty(error: ErrorObject): string | undefined {
  if (error.keyword !== 'additionalProperties' && error.keyword !== 'unevaluatedProperties') return undefined;
  const name = param(error, 'additionalProperty') ?? param(error, 'unevaluatedProperty');
  return typeof name === 'string' ? name : undefined;
}

/** Removes errors with the same pointer, keyword and message, keeping the first. */
export function dedupeErrors(errors: readonly TraitsValidationError[]): TraitsValidationError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.pointer}\u0000${error.keyword}\u0000${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function pointerOf(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? param(error, 'missingProperty') : undefined;
  const path =
    typeof missing === 'string' ? `${error.instancePath}/${escapePointerToken(missing)}` : error.instancePath;
  return `#${path}`;
}

function describe(error: ErrorObject): Described {
  const data: unknown = error.data;
  switch (error.keyword) {
    case 'required': {
      const property = String(param(error, 'missingProperty'));
      return { message: `missing properties: ${quote(property)}`, context: { property } };
    }
    case 'type': {
      const allowed = asStrings(param(error, 'type'));
      const actual = jsonTypeOf(data);
      return {
        message: `expected ${allowed.join(' or ')}, but got ${actual}`,
        context: { allowed_types: allowed, actual_type: actual },
      };
    }
    case 'enum':
      return describeEnum(param(error, 'allowedValues'));
    case 'const': {
      const expected = toJson(param(error, 'allowedValue'));
      const primitive = expected === null || typeof expected !== 'object';
      return {
        message: primitive ? `value must be ${goValue(expected)}` : 'const failed',
        context: { expected },
      };
    }
    case 'format': {
      const format = String(param(error, 'format'));
      return {
        message: `${quote(String(data))} is not valid ${quote(format)}`,
        context: { expected_format: format, actual_value: toJson(data) },
      };
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(param(error, 'limit'));
      const actual = typeof data === 'string' ? [...data].length : 0;
      const min = error.keyword === 'minLength';
      return {
        message: `length must be ${min ? '>=' : '<='} ${limit}, but got ${actual}`,
        context: min
          ? { min_length: limit, actual_length: actual }
          : { max_length: limit, actual_length: actual },
      };
    }
    case 'pattern': {
      const pattern = String(param(error, 'pattern'));
      return { message: `does not match pattern ${quote(pattern)}`, context: { pattern } };
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return describeLimit(error, data);
    case 'multipleOf': {
      const base = Number(param(error, 'multipleOf'));
      return { message: `${String(data)} not multipleOf ${base}`, context: { base, actual: toJson(data) } };
    }
    case 'minItems':
    case 'maxItems': {
      const limit = Number(param(error, 'limit'));
      const actual = Array.isArray(data) ? data.length : 0;
      const min = error.keyword === 'minItems';
      return {
        message: `${min ? 'minimum' : 'maximum'} ${limit} items allowed, but found ${actual} items`,
        context: min
          ? { min_items: limit, actual_items: actual }
          : { max_items: limit, actual_items: actual },
      };
    }
    case 'uniqueItems': {
      const [a, b] = [Number(param(error, 'j')), Number(param(error, 'i'))].sort((x, y) => x - y);
      return {
        message: `items at index ${a} and ${b} are equal`,
        context: { index_a: a ?? 0, index_b: b ?? 0 },
      };
    }
    case 'minProperties':
    case 'maxProperties': {
      const limit = Number(param(error, 'limit'));
      const actual = typeof data === 'object' && data !== null ? Object.keys(data).length : 0;
      const word = error.keyword === 'minProperties' ? 'minimum' : 'maximum';
      return { message: `${word} ${limit} properties allowed, but found ${actual} properties`, context: {} };
    }
    case 'dependencies':
    case 'dependentRequired': {
      const property = String(param(error, 'missingProperty'));
      const because = String(param(error, 'property'));
      return {
        message: `property ${quote(property)} is required, if ${quote(because)} property exists`,
        context: {},
      };
    }
    case 'additionalItems':
    case 'items': {
      const limit = Number(param(error, 'limit'));
      const actual = Array.isArray(data) ? data.length : 0;
      return { message: `only ${limit} items are allowed, but found ${actual} items`, context: {} };
    }
    case 'oneOf': {
      const passing = param(error, 'passingSchemas');
      const message = Array.isArray(passing)
        ? `valid against schemas at indexes ${passing.join(' and ')}`
        : 'oneOf failed';
      return { message, context: {} };
    }
    case 'anyOf':
    case 'not':
    case 'contains':
      return { message: `${error.keyword} failed`, context: {} };
    case 'false schema':
      return { message: 'always fail', context: {} };
    default:
      return { message: error.message ?? 'validation failed', context: {} };
  }
}

function describeEnum(allowedValues: unknown): Described {
  const allowed = Array.isArray(allowedValues) ? allowedValues.map(toJson) : [];
  const primitives = allowed.every((value) => value === null || typeof value !== 'object');
  let message = 'enum failed';
  if (primitives && allowed.length === 1) message = `value must be ${goValue(allowed[0] ?? null)}`;
  else if (primitives) message = `value must be one of ${allowed.map(goValue).join(', ')}`;
  return { message, context: { allowed_values: allowed } };
}

function describeLimit(error: ErrorObject, data: unknown): Described {
  const limit = Number(param(error, 'limit'));
  const comparison = String(param(error, 'comparison'));
  const actual = toJson(data);
  const key = error.keyword.toLowerCase().endsWith('minimum') ? 'minimum' : 'maximum';
  return {
    message: `must be ${comparison} ${limit} but found ${String(data)}`,
    context: { [key]: limit, actual },
  };
}

function param(error: ErrorObject, name: string): unknown {
  const params: Record<string, unknown> = error.params;
  return params[name];
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.split(',') : [];
}

/** Go's `%q`; JSON string syntax is close enough for the messages this produces. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** Go's `%#v` for a JSON primitive: strings quoted, numbers and booleans bare. */
function goValue(value: JsonValue): string {
  return typeof value === 'string' ? quote(value) : JSON.stringify(value);
}

function toJson(value: unknown): JsonValue {
  return cloneJson(value) ?? null;
}
