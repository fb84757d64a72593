import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../identity/model.js';
import { schemaKeysInOrder } from './schema-key-order.js';
import { listSchemaPaths, resolveLocalRef, SchemaCycleError } from './schema-paths.js';

const withTraits = (traits: JsonObject, extra: JsonObject = {}): JsonObject => ({
  type: 'object',
  properties: { traits: { type: 'object', properties: traits } },
  ...extra,
});

const summary = (document: JsonObject) =>
  listSchemaPaths(document).map(({ name, kind, required }) => `${name}:${kind}${required ? '!' : ''}`);

describe('listSchemaPaths', () => {
  it('lists every property, objects included, sorted by name', () => {
    expect(
      summary(
        withTraits({ b: { type: 'string' }, a: { type: 'object', properties: { z: { type: 'number' } } } }),
      ),
    ).toMatchInlineSnapshot(`
        [
          "traits:json",
          "traits.a:json",
          "traits.a.z:number",
          "traits.b:text",
        ]
      `);
  });

  it('follows local references and takes title and format from the referenced schema', () => {
    const document = withTraits(
      { phone: { $ref: '#/definitions/phone' } },
      { definitions: { phone: { type: 'string', format: 'tel', title: 'Phone' } } },
    );
    const phone = listSchemaPaths(document).find((path) => path.name === 'traits.phone');
    expect(phone).toMatchObject({ kind: 'text', format: 'tel', title: 'Phone' });
  });

  it("drops required for a property that is only a $ref, as Kratos's compiler does", () => {
    const document: JsonObject = {
      type: 'object',
      definitions: { email: { type: 'string' } },
      properties: {
        traits: {
          type: 'object',
          properties: { email: { $ref: '#/definitions/email' }, name: { type: 'string' } },
          required: ['email', 'name'],
        },
      },
    };
    expect(summary(document)).toEqual(['traits:json', 'traits.email:text', 'traits.name:text!']);
  });

  it('ignores the keywords next to $ref', () => {
    const document = withTraits(
      { a: { $ref: '#/definitions/a', title: 'Ignored', format: 'email' } },
      { definitions: { a: { type: 'string' } } },
    );
    expect(listSchemaPaths(document).find((path) => path.name === 'traits.a')).toMatchObject({
      title: '',
      format: undefined,
    });
  });

  it('gives nullable properties no path unless they have a default', () => {
    expect(
      summary(
        withTraits({
          nickname: { type: ['string', 'null'] },
          motto: { type: ['string', 'null'], default: 'carpe diem' },
          anything: { type: ['string', 'number', 'boolean'], default: 1 },
        }),
      ),
    ).toEqual(['traits:json', 'traits.anything:json', 'traits.motto:text']);
  });

  it('types const values like their constant', () => {
    expect(
      summary(withTraits({ n: { const: 1 }, s: { const: 'x' }, b: { const: true }, o: { const: {} } })),
    ).toEqual(['traits:json', 'traits.b:boolean', 'traits.n:number', 'traits.o:json', 'traits.s:text']);
  });

  it('walks allOf and keeps one path per name', () => {
    const document = withTraits({
      email: {
        allOf: [
          { type: 'string', title: 'First' },
          { type: 'string', title: 'Second' },
        ],
      },
    });
    const paths = listSchemaPaths(document).filter((path) => path.name === 'traits.email');
    // Neither branch has a default, so the later one wins, as in jsonschemax's makeUnique.
    expect(paths.map((path) => path.title)).toEqual(['Second']);
  });

  it('does not follow references into other documents', () => {
    expect(summary(withTraits({ remote: { $ref: 'https://example.com/s.json#/x' } }))).toEqual([
      'traits:json',
    ]);
  });

  it('refuses a schema that refers back to itself', () => {
    const document = withTraits(
      { node: { $ref: '#/definitions/node' } },
      { definitions: { node: { type: 'object', properties: { child: { $ref: '#/definitions/node' } } } } },
    );
    expect(() => listSchemaPaths(document)).toThrow(SchemaCycleError);
  });
});

describe('resolveLocalRef', () => {
  const root: JsonObject = { definitions: { 'a/b': { type: 'string' }, list: [{ type: 'number' }] } };

  it('decodes JSON pointer escapes and array indexes', () => {
    expect(resolveLocalRef(root, '#/definitions/a~1b')).toEqual({ type: 'string' });
    expect(resolveLocalRef(root, '#/definitions/list/0')).toEqual({ type: 'number' });
    expect(resolveLocalRef(root, '#')).toBe(root);
  });

  it('finds nothing for missing, malformed or non-local references', () => {
    expect(resolveLocalRef(root, '#/definitions/missing')).toBeUndefined();
    expect(resolveLocalRef(root, '#/definitions/%E0%A4%A')).toBeUndefined();
    expect(resolveLocalRef(root, 'other.json#/x')).toBeUndefined();
  });
});

describe('schemaKeysInOrder', () => {
  it('lists leaf keys in document order without following references', () => {
    const document = withTraits({
      z: { type: 'string' },
      name: { type: 'object', properties: { last: { type: 'string' }, first: { type: 'string' } } },
      ref: { $ref: '#/definitions/x' },
      'with.dot': { type: 'string' },
    });
    expect(schemaKeysInOrder(document)).toEqual([
      'traits.z',
      'traits.name.last',
      'traits.name.first',
      'traits.ref',
      'traits.with\\.dot',
    ]);
  });
});
