import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('fills in the user_type default although it is required (Ajv applies defaults before required)', () => {
    const input = { email: 'ada@example.com', fullname: 'Ada', phone_number: 1 };
    const result = expectValid(users.validate(input));
    expect(result.traits.user_type).toBe('student');
    // The caller's object is left alone.
    expect(input).not.toHaveProperty('user_type');
    expect(result.traits).not.toBe(input);
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
          context: { property: 'is_admin' },
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
