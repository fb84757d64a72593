import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model.js';
import { createSchemaRegistry } from './registry.js';
import type { TraitsValidationError } from './types.js';

/** Validates one trait `value` against the trait schema `field` and returns the errors. */
async function errorsFor(
  field: JsonObject,
  value: unknown,
): Promise<Omit<TraitsValidationError, 'pointer'>[]> {
  const document = { type: 'object', properties: { traits: { type: 'object', properties: { field } } } };
  const url = `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;
  const schema = (await createSchemaRegistry([{ id: 'x', url }], 'x')).getDefault();
  const result = schema.validate({ field: value });
  if (result.ok) return [];
  return result.errors.map(({ pointer, ...rest }) => {
    expect(pointer.startsWith('#/traits/field')).toBe(true);
    return rest;
  });
}

describe('Kratos-style messages', () => {
  it.each<[string, JsonObject, unknown, string, JsonObject]>([
    [
      'minLength',
      { type: 'string', minLength: 3 },
      'ab',
      'length must be >= 3, but got 2',
      { min_length: 3, actual_length: 2 },
    ],
    [
      'maxLength',
      { type: 'string', maxLength: 2 },
      'héé',
      'length must be <= 2, but got 3',
      { max_length: 2, actual_length: 3 },
    ],
    ['pattern', { type: 'string', pattern: '^a' }, 'b', 'does not match pattern "^a"', { pattern: '^a' }],
    ['minimum', { type: 'number', minimum: 5 }, 3, 'must be >= 5 but found 3', { minimum: 5, actual: 3 }],
    [
      'exclusiveMaximum',
      { type: 'number', exclusiveMaximum: 5 },
      5,
      'must be < 5 but found 5',
      { maximum: 5, actual: 5 },
    ],
    ['multipleOf', { type: 'number', multipleOf: 2 }, 3, '3 not multipleOf 2', { base: 2, actual: 3 }],
    [
      'minItems',
      { type: 'array', minItems: 2 },
      [1],
      'minimum 2 items allowed, but found 1 items',
      { min_items: 2, actual_items: 1 },
    ],
    [
      'uniqueItems',
      { type: 'array', uniqueItems: true },
      [1, 1],
      'items at index 0 and 1 are equal',
      { index_a: 0, index_b: 1 },
    ],
    [
      'type',
      { type: ['string', 'null'] },
      1,
      'expected string or null, but got number',
      { allowed_types: ['string', 'null'], actual_type: 'number' },
    ],
    ['enum', { enum: ['only'] }, 'x', 'value must be "only"', { allowed_values: ['only'] }],
    ['enum', { enum: [1, true] }, 'x', 'value must be one of 1, true', { allowed_values: [1, true] }],
    ['const', { const: 'x' }, 'y', 'value must be "x"', { expected: 'x' }],
    [
      'format',
      { type: 'string', format: 'date' },
      '2024-13-01',
      '"2024-13-01" is not valid "date"',
      { expected_format: 'date', actual_value: '2024-13-01' },
    ],
    [
      'format',
      { type: 'string', format: 'tel' },
      '12345',
      '"12345" is not valid "tel"',
      { expected_format: 'tel', actual_value: '12345' },
    ],
  ])('%s', async (keyword, field, value, message, context) => {
    expect(await errorsFor(field, value)).toEqual([{ keyword, message, context }]);
  });

  it('does not repeat the `if` umbrella error, only the failing branch', async () => {
    // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword under test.
    const field = { type: 'string', if: { const: 'a' }, then: { minLength: 2 } };
    expect(await errorsFor(field, 'a')).toEqual([
      {
        keyword: 'minLength',
        message: 'length must be >= 2, but got 1',
        context: { min_length: 2, actual_length: 1 },
      },
    ]);
  });

  it('names anyOf / oneOf failures the way ory/jsonschema does', async () => {
    const anyOf = await errorsFor({ anyOf: [{ type: 'string' }, { type: 'number' }] }, true);
    expect(anyOf.map((e) => e.message)).toContain('anyOf failed');
    const oneOf = await errorsFor({ oneOf: [{ type: 'number' }, { minimum: 0 }] }, 1);
    expect(oneOf.map((e) => e.message)).toContain('valid against schemas at indexes 0 and 1');
  });

  it('escapes JSON pointer tokens of missing properties', async () => {
    const document = {
      type: 'object',
      properties: {
        traits: { type: 'object', properties: { 'a/b': { type: 'string' } }, required: ['a/b'] },
      },
    };
    const url = `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;
    const schema = (await createSchemaRegistry([{ id: 'x', url }], 'x')).getDefault();
    expect(schema.validate({})).toMatchObject({ ok: false, errors: [{ pointer: '#/traits/a~1b' }] });
  });
});
