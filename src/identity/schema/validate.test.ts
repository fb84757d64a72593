import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { traitMessage } from '../../selfservice/registration/trait-messages.js';
import type { JsonObject } from '../model.js';
import { createSchemaRegistry } from './registry.js';
import type { IdentitySchema, TraitsValidationResult, ValidTraits } from './types.js';

const FIXTURES = join(import.meta.dirname, 'testing', 'fixtures');

let users: IdentitySchema;

beforeAll(async () => {
  const registry = await createSchemaRegistry(
    [{ id: 'users', url: `file://${join(FIXTURES, 'first-users.schema.json')}` }],
    'users',
  );
  users = registry.getDefault();
});

const valid = {
  email: 'ada@example.com',
  fullname: 'Ada Lovelace',
  phone_number: 4915112345678,
  user_type: 'educator',
};

function expectValid(result: TraitsValidationResult): ValidTraits {
  if (!result.ok) throw new Error(`expected valid traits, got ${JSON.stringify(result.errors)}`);
  return result;
}

describe('first users schema', () => {
  it('accepts valid traits', () => {
    const result = expectValid(users.validate(valid));
    expect(result.traits).toEqual(valid);
  });

  it('does not fill in the user_type default: a required trait with a default is still missing (4000002)', () => {
    const input = { email: 'ada@example.com', fullname: 'Ada', phone_number: 1 };
    const result = users.validate(input);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/user_type',
          keyword: 'required',
          message: 'missing properties: "user_type"',
          context: { property: 'user_type' },
        },
      ],
    });
    if (!result.ok) expect(result.errors.map(traitMessage).map((m) => m.id)).toEqual([4000002]);
    expect(input).not.toHaveProperty('user_type');
  });

  it('returns the traits exactly as sent, without defaults', () => {
    const result = expectValid(users.validate(valid));
    expect(result.traits).toEqual(valid);
    expect(result.traits).not.toBe(valid);
  });

  it('rejects user_type "admin" with a pointer to it and the allowed values', () => {
    const result = users.validate({ ...valid, user_type: 'admin' });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/user_type',
          keyword: 'enum',
          message: 'value must be one of "student", "educator"',
          context: { allowed_values: ['student', 'educator'] },
        },
      ],
    });
  });

  it('rejects a missing fullname, pointing at the missing property', () => {
    const { fullname: _, ...rest } = valid;
    const result = users.validate(rest);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/fullname',
          keyword: 'required',
          message: 'missing properties: "fullname"',
          context: { property: 'fullname' },
        },
      ],
    });
  });

  it('rejects an extra property (additionalProperties: false)', () => {
    const result = users.validate({ ...valid, is_admin: true });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits',
          keyword: 'additionalProperties',
          message: 'additionalProperties "is_admin" not allowed',
          context: { properties: ['is_admin'] },
        },
      ],
    });
  });

  it('rejects a malformed email with a format error', () => {
    const result = users.validate({ ...valid, email: 'not-an-email' });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/email',
          keyword: 'format',
          message: '"not-an-email" is not valid "email"',
          context: { expected_format: 'email', actual_value: 'not-an-email' },
        },
      ],
    });
  });

  it('reports every problem at once', () => {
    const result = users.validate({ email: 42, phone_number: 'call me', user_type: 'admin', extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.pointer, e.keyword, e.message])).toEqual(
      expect.arrayContaining([
        ['#/traits/fullname', 'required', 'missing properties: "fullname"'],
        ['#/traits', 'additionalProperties', 'additionalProperties "extra" not allowed'],
        ['#/traits/email', 'type', 'expected string, but got number'],
        ['#/traits/phone_number', 'type', 'expected number, but got string'],
        ['#/traits/user_type', 'enum', 'value must be one of "student", "educator"'],
      ]),
    );
  });

  it('collects and normalises the identifier and addresses', () => {
    const result = expectValid(users.validate({ ...valid, email: '  Foo@Example.COM ' }));
    expect(result.identifiers).toEqual({ password: ['foo@example.com'], webauthn: [], code: [] });
    expect(result.verifiable).toEqual([{ value: 'foo@example.com', via: 'email' }]);
    expect(result.recovery).toEqual([{ value: 'foo@example.com', via: 'email' }]);
    expect(result.codeAddresses).toEqual([]);
    expect(result.passkeyDisplayName).toBeUndefined();
    expect(result.totpAccountName).toBeUndefined();
    // The trait itself keeps what was sent, as in Kratos.
    expect(result.traits.email).toBe('  Foo@Example.COM ');
  });

  it('rejects traits that are not an object, or not JSON', () => {
    for (const traits of [undefined, null, 'ada@example.com', [valid]]) {
      const result = users.validate(traits);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]).toMatchObject({ pointer: '#/traits', keyword: 'type' });
    }
    const result = users.validate({ ...valid, big: 1n });
    expect(result).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits', message: 'traits must be JSON data' }],
    });
  });

  it('keeps validations independent of each other', () => {
    const a = expectValid(users.validate({ ...valid, email: 'a@example.com' }));
    const b = expectValid(users.validate({ ...valid, email: 'b@example.com' }));
    expect(a.identifiers.password).toEqual(['a@example.com']);
    expect(b.identifiers.password).toEqual(['b@example.com']);
  });
});

async function compileTraits(traits: JsonObject): Promise<IdentitySchema> {
  const document = { type: 'object', properties: { traits: { type: 'object', ...traits } } };
  const url = `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;
  return (await createSchemaRegistry([{ id: 'x', url }], 'x')).getDefault();
}

describe('schema defaults are never applied (as in Kratos)', () => {
  it('gives no identifier or address from a default on an identifier / recovery trait', async () => {
    const schema = await compileTraits({
      properties: {
        username: { type: 'string' },
        email: {
          type: 'string',
          format: 'email',
          default: 'admin@example.com',
          'ory.sh/kratos': {
            credentials: { password: { identifier: true }, code: { identifier: true, via: 'email' } },
            verification: { via: 'email' },
            recovery: { via: 'email' },
          },
        },
      },
    });
    const result = expectValid(schema.validate({ username: 'ada' }));
    expect(result.traits).toEqual({ username: 'ada' });
    expect(result.identifiers).toEqual({ password: [], webauthn: [], code: [] });
    expect(result.codeAddresses).toEqual([]);
    expect(result.verifiable).toEqual([]);
    expect(result.recovery).toEqual([]);
  });
});

describe('additionalProperties: false', () => {
  it('reports all extra properties in one ory/jsonschema-style error on the object', async () => {
    const schema = await compileTraits({
      properties: { email: { type: 'string' } },
      additionalProperties: false,
    });
    expect(schema.validate({ email: 'a@x.org', zzz: 1, yyy: 2 })).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits',
          keyword: 'additionalProperties',
          message: 'additionalProperties "zzz", "yyy" not allowed',
          context: { properties: ['zzz', 'yyy'] },
        },
      ],
    });
  });
});
