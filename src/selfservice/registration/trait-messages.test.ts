import { describe, expect, it } from 'vitest';
import { createSchemaRegistry } from '../../identity/schema/registry.js';
import { traitFieldMessages } from './trait-messages.js';

const SCHEMA = {
  $id: 'https://example.test/keywords.schema.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        phone: { type: 'string', format: 'tel' },
        username: { type: 'string', minLength: 3, maxLength: 5, pattern: '^[a-z]+$' },
        age: { type: 'integer', minimum: 18, maximum: 130 },
        score: { type: 'number', multipleOf: 0.5, exclusiveMinimum: 0, exclusiveMaximum: 10 },
        tags: { type: 'array', minItems: 1, maxItems: 2, uniqueItems: true },
        kind: { const: 'person' },
        plan: { type: 'string', enum: ['free', 'pro'] },
        name: { type: 'object', properties: { first: { type: 'string' } }, required: ['first'] },
      },
    },
  },
};

async function messagesFor(traits: Record<string, unknown>) {
  const url = `base64://${Buffer.from(JSON.stringify(SCHEMA)).toString('base64')}`;
  const registry = await createSchemaRegistry([{ id: 'keywords', url }], 'keywords');
  const result = registry.getDefault().validate(traits);
  if (result.ok) throw new Error('expected errors');
  return traitFieldMessages(result.errors);
}

/** Ids, texts and context as Kratos's ui/container translateValidationError gives them. */
describe('trait validation messages', () => {
  it('gives each keyword its own Kratos message id and context', async () => {
    const fields = await messagesFor({
      email: 'not-an-email',
      phone: '12',
      username: 'AB',
      age: 'abc',
      score: 0.7,
      tags: ['a', 'a', 'b'],
      kind: 'robot',
      plan: 'gold',
      name: {},
    });
    const one = (name: string) => fields[name]?.map(({ id, text, context }) => ({ id, text, context }));
    expect(one('traits.email')).toEqual([
      { id: 4000040, text: 'not-an-email is not a valid email address', context: { value: 'not-an-email' } },
    ]);
    expect(one('traits.phone')).toEqual([
      { id: 4000041, text: '12 is not a valid phone number', context: { value: '12' } },
    ]);
    expect(one('traits.username')?.map((m) => m.id)).toEqual([4000003, 4000004]);
    expect(one('traits.username')?.[0]).toEqual({
      id: 4000003,
      text: 'length must be >= 3, but got 2',
      context: { actual_length: 2, min_length: 3 },
    });
    expect(one('traits.age')).toEqual([
      {
        id: 4000026,
        text: 'expected integer, but got string',
        context: { actual_type: 'string', allowed_types: ['integer'] },
      },
    ]);
    expect(one('traits.score')?.map((m) => [m.id, m.text])).toEqual([[4000022, '0.7 not multipleOf 0.5']]);
    expect(one('traits.tags')?.map((m) => m.id)).toEqual([4000023, 4000025]);
    expect(one('traits.kind')).toEqual([
      { id: 4000029, text: 'must be equal to constant "person"', context: { expected: '"person"' } },
    ]);
    // No keyword of its own in Kratos: the validator's text under 4000001.
    expect(one('traits.plan')?.map((m) => m.id)).toEqual([4000001]);
    expect(one('traits.name.first')?.map((m) => [m.id, m.text])).toEqual([
      [4000002, 'Property first is missing.'],
    ]);
  });

  it('words bounds with Go number formatting', async () => {
    const fields = await messagesFor({ age: 12, score: 10 });
    expect(fields['traits.age']?.map((m) => [m.id, m.text])).toEqual([
      [4000018, 'must be >= 18 but found 12'],
    ]);
    expect(fields['traits.score']?.map((m) => [m.id, m.text])).toEqual([
      [4000021, 'must be < 10 but found 10'],
    ]);
  });
});
