import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../identity/model.js';
import type { UiInputNode } from '../flow/index.js';
import { emailPasswordSchema, examSchema, nestedTelSchema, schemaCases, toJson } from './testing/schemas.js';
import { traitNodes } from './trait-nodes.js';

const traitsSchema = (traits: JsonObject, required: string[] = []): JsonObject => ({
  type: 'object',
  properties: { traits: { type: 'object', properties: traits, required } },
});

const attributesOf = (nodes: UiInputNode[]) => nodes.map((node) => node.attributes);

describe('traitNodes', () => {
  for (const { name, schema } of schemaCases) {
    it(`turns the ${name} schema into default-group fields in schema order`, async () => {
      await expect(toJson(traitNodes(schema, { group: 'default' }))).toMatchFileSnapshot(
        `./__snapshots__/traits-${name}.json`,
      );
    });
  }

  it('names nested fields with dots and keeps the document order, not the alphabet', () => {
    expect(traitNodes(nestedTelSchema, { group: 'default' }).map((node) => node.attributes.name)).toEqual([
      'traits.phone',
      'traits.name.first',
      'traits.name.last',
      'traits.birthday',
      'traits.newsletter',
    ]);
  });

  it('labels a field with its title, with the field name in the context', () => {
    const [email] = traitNodes(emailPasswordSchema, { group: 'default' });
    expect(email?.meta).toEqual({
      label: {
        id: 1070002,
        text: 'E-Mail',
        type: 'info',
        context: { name: 'traits.email', title: 'E-Mail' },
      },
    });
  });

  it('maps JSON Schema types and formats to input types as Kratos does', () => {
    const schema = traitsSchema({
      a_string: { type: 'string' },
      b_integer: { type: 'integer' },
      c_number: { type: 'number' },
      d_boolean: { type: 'boolean' },
      e_email: { type: 'string', format: 'email' },
      f_tel: { type: 'string', format: 'tel' },
      g_date: { type: 'string', format: 'date' },
      h_datetime: { type: 'string', format: 'date-time' },
      i_uri: { type: 'string', format: 'uri' },
      j_regex: { type: 'string', format: 'regex' },
      k_other_format: { type: 'string', format: 'hostname' },
      l_strings: { type: 'array', items: { type: 'string' } },
    });
    expect(
      attributesOf(traitNodes(schema, { group: 'default' })).map(({ name, type, autocomplete }) => [
        name,
        type,
        autocomplete,
      ]),
    ).toEqual([
      ['traits.a_string', 'text', undefined],
      ['traits.b_integer', 'number', undefined],
      ['traits.c_number', 'number', undefined],
      ['traits.d_boolean', 'checkbox', undefined],
      ['traits.e_email', 'email', 'email'],
      ['traits.f_tel', 'tel', 'tel'],
      ['traits.g_date', 'date', undefined],
      ['traits.h_datetime', 'datetime-local', undefined],
      ['traits.i_uri', 'url', 'url'],
      ['traits.j_regex', 'text', undefined],
      ['traits.k_other_format', 'text', undefined],
      ['traits.l_strings', 'text', undefined],
    ]);
  });

  it('gives objects and arrays of objects no field of their own', () => {
    const schema = traitsSchema({
      address: { type: 'object', properties: { city: { type: 'string' } } },
      tags: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } } } },
    });
    expect(traitNodes(schema, { group: 'default' }).map((node) => node.attributes.name)).toEqual([
      'traits.address.city',
    ]);
  });

  it('marks required fields from the required list of their own object', () => {
    const names = traitNodes(nestedTelSchema, { group: 'default' })
      .filter((node) => node.attributes.required)
      .map((node) => node.attributes.name);
    expect(names).toEqual(['traits.phone', 'traits.name.first']);
  });

  it('passes the pattern through and sets no maxlength, as Kratos sets none from the schema', () => {
    const last = traitNodes(nestedTelSchema, { group: 'default' })[2];
    expect(last?.attributes.pattern).toBe('^[^0-9]*$');
    const [email] = traitNodes(emailPasswordSchema, { group: 'default' });
    expect(email?.attributes).not.toHaveProperty('maxlength');
  });

  it('offers the enum as options and does not prefill the schema default', () => {
    const userType = traitNodes(examSchema, { group: 'default' }).find(
      (node) => node.attributes.name === 'traits.user_type',
    );
    expect(userType?.attributes.options).toEqual([{ value: 'student' }, { value: 'educator' }]);
    expect(userType?.attributes).not.toHaveProperty('value');
  });

  it('keeps scalar enum values verbatim and drops null and structured ones', () => {
    const schema = traitsSchema({ level: { type: 'integer', enum: [1, 2, null, { x: 1 }] } });
    expect(traitNodes(schema, { group: 'default' })[0]?.attributes.options).toEqual([
      { value: 1 },
      { value: 2 },
    ]);
  });

  it('puts every field in the requested group', () => {
    const groups = new Set(traitNodes(examSchema, { group: 'profile' }).map((node) => node.group));
    expect([...groups]).toEqual(['profile']);
  });

  it('prefills values, nested ones included, with their JSON types', () => {
    const nodes = traitNodes(nestedTelSchema, {
      group: 'default',
      values: { phone: '+4915112345678', name: { first: 'Ada' }, newsletter: true, unknown: 'x' },
    });
    expect(nodes.map((node) => [node.attributes.name, node.attributes.value])).toEqual([
      ['traits.phone', '+4915112345678'],
      ['traits.name.first', 'Ada'],
      ['traits.name.last', undefined],
      ['traits.birthday', undefined],
      ['traits.newsletter', true],
    ]);
    // Kratos serialises value right after type.
    expect(Object.keys(nodes[0]?.attributes ?? {}).slice(0, 3)).toEqual(['name', 'type', 'value']);
  });

  it('never echoes a trait called password', () => {
    const schema = traitsSchema({ email: { type: 'string' }, password: { type: 'string' } });
    const nodes = traitNodes(schema, { group: 'default', values: { email: 'a@b.c', password: 'hunter2' } });
    expect(nodes.map((node) => node.attributes.value)).toEqual(['a@b.c', undefined]);
    expect(JSON.stringify(nodes)).not.toContain('hunter2');
  });

  it('does not touch the schema document', () => {
    const schema = structuredClone(examSchema);
    traitNodes(schema, { group: 'default', values: { email: 'a@b.c' } });
    expect(schema).toEqual(examSchema);
  });
});
