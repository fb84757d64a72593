import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model.js';
import { createSchemaRegistry } from './registry.js';
import type { IdentitySchema, TraitsValidationResult, ValidTraits } from './types.js';

async function compile(traits: JsonObject, root: JsonObject = {}): Promise<IdentitySchema> {
  const document = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    ...root,
    properties: { traits: { type: 'object', ...traits } },
  };
  const url = `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;
  const registry = await createSchemaRegistry([{ id: 'test', url }], 'test');
  return registry.getDefault();
}

function expectValid(result: TraitsValidationResult): ValidTraits {
  if (!result.ok) throw new Error(`expected valid traits, got ${JSON.stringify(result.errors)}`);
  return result;
}

const passwordEmail = {
  type: 'string',
  format: 'email',
  'ory.sh/kratos': {
    credentials: { password: { identifier: true } },
    verification: { via: 'email' },
    recovery: { via: 'email' },
  },
};

describe('ory.sh/kratos extension', () => {
  it('gives one entry per array element, de-duplicated after normalisation', async () => {
    const schema = await compile({ properties: { emails: { type: 'array', items: passwordEmail } } });
    const result = expectValid(schema.validate({ emails: ['A@x.org', 'b@x.org', ' a@X.org'] }));
    expect(result.identifiers.password).toEqual(['a@x.org', 'b@x.org']);
    expect(result.verifiable).toEqual([
      { value: 'a@x.org', via: 'email' },
      { value: 'b@x.org', via: 'email' },
    ]);
    expect(result.recovery).toHaveLength(2);
  });

  it('expands an array when the keyword sits on the array schema itself', async () => {
    const schema = await compile({
      properties: {
        usernames: {
          type: 'array',
          items: { type: 'string' },
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
      },
    });
    const result = expectValid(schema.validate({ usernames: ['Alice', 'BOB'] }));
    expect(result.identifiers.password).toEqual(['alice', 'bob']);
  });

  it('follows $ref and allOf, and nested objects', async () => {
    const schema = await compile(
      {
        properties: {
          primary: { $ref: '#/definitions/email' },
          contact: { type: 'object', properties: { backup: { allOf: [{ $ref: '#/definitions/email' }] } } },
        },
      },
      { definitions: { email: passwordEmail } },
    );
    const result = expectValid(schema.validate({ primary: 'p@x.org', contact: { backup: 'B@x.org' } }));
    expect(result.identifiers.password).toEqual(['p@x.org', 'b@x.org']);
  });

  it('collects code identifiers with their channel, normalising phone numbers', async () => {
    const schema = await compile({
      properties: {
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'email' } } },
        },
        phone: {
          type: 'string',
          format: 'tel',
          'ory.sh/kratos': {
            credentials: { code: { identifier: true, via: 'sms' }, password: { identifier: true } },
            verification: { via: 'sms' },
          },
        },
      },
    });
    const result = expectValid(schema.validate({ email: 'Foo@X.org', phone: '+1 (201) 555-0123' }));
    expect(result.identifiers.code).toEqual(['foo@x.org', '+12015550123']);
    expect(result.identifiers.password).toEqual(['+12015550123']);
    expect(result.codeAddresses).toEqual([
      { value: 'foo@x.org', via: 'email' },
      { value: '+12015550123', via: 'sms' },
    ]);
    expect(result.verifiable).toEqual([{ value: '+12015550123', via: 'sms' }]);
  });

  it('gives two spellings of one phone number the same E.164 identifier and addresses', async () => {
    const schema = await compile({
      properties: {
        phone: {
          type: 'string',
          format: 'tel',
          'ory.sh/kratos': {
            credentials: { code: { identifier: true, via: 'sms' }, password: { identifier: true } },
            verification: { via: 'sms' },
            recovery: { via: 'sms' },
          },
        },
      },
    });
    const results = ['+44 (0)20 7946 0958', '+44 20 7946 0958'].map((phone) =>
      expectValid(schema.validate({ phone })),
    );
    for (const result of results) {
      expect(result.identifiers).toEqual({
        password: ['+442079460958'],
        webauthn: [],
        code: ['+442079460958'],
      });
      expect(result.codeAddresses).toEqual([{ value: '+442079460958', via: 'sms' }]);
      expect(result.verifiable).toEqual([{ value: '+442079460958', via: 'sms' }]);
      expect(result.recovery).toEqual([{ value: '+442079460958', via: 'sms' }]);
    }
    expect(schema.validate({ phone: '+1 000 000 0000' })).toMatchObject({
      ok: false,
      errors: expect.arrayContaining([
        expect.objectContaining({ keyword: 'format', message: '"+1 000 000 0000" is not valid "tel"' }),
        expect.objectContaining({
          keyword: 'format',
          message: '"+1 000 000 0000" is not valid "tel" for "sms"',
        }),
      ]),
    });
  });

  it('requires a valid phone number for an sms code identifier even with `no-validate`', async () => {
    const schema = await compile({
      properties: {
        phone: {
          type: 'string',
          format: 'no-validate',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'sms' } } },
        },
      },
    });
    expect(schema.validate({ phone: '12345' })).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits/phone', keyword: 'format', message: '"12345" is not valid "tel"' }],
    });
  });

  it('rejects a code identifier that cannot receive codes', async () => {
    const schema = await compile({
      properties: {
        phone: {
          type: 'string',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'sms' } } },
        },
      },
    });
    expect(schema.validate({ phone: '0301234567' })).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits/phone', keyword: 'format', message: '"0301234567" is not valid "tel"' }],
    });
  });

  it('infers a missing code `via` from the format', async () => {
    const schema = await compile({
      properties: {
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': { credentials: { code: { identifier: true } } },
        },
        nick: { type: 'string', 'ory.sh/kratos': { credentials: { code: { identifier: true } } } },
      },
    });
    expect(expectValid(schema.validate({ email: 'a@x.org' })).codeAddresses).toEqual([
      { value: 'a@x.org', via: 'email' },
    ]);
    expect(schema.validate({ nick: 'ada' })).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits/nick', keyword: 'ory.sh/kratos' }],
    });
  });

  it('collects WebAuthn identifiers, the passkey display name and the TOTP account name', async () => {
    const schema = await compile({
      properties: {
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': {
            credentials: { webauthn: { identifier: true }, totp: { account_name: true } },
          },
        },
        name: { type: 'string', 'ory.sh/kratos': { credentials: { passkey: { display_name: true } } } },
      },
    });
    const withName = expectValid(schema.validate({ email: 'Ada@X.org', name: ' Ada L. ' }));
    expect(withName.identifiers.webauthn).toEqual(['ada@x.org']);
    expect(withName.passkeyDisplayName).toBe('Ada L.');
    expect(withName.totpAccountName).toBe('Ada@X.org');
    // Without a display-name trait Kratos falls back to the WebAuthn identifier.
    expect(expectValid(schema.validate({ email: 'Ada@X.org' })).passkeyDisplayName).toBe('ada@x.org');
  });

  it('requires a format for sms verification, with Kratos message', async () => {
    const schema = await compile({
      properties: { phone: { type: 'string', 'ory.sh/kratos': { verification: { via: 'sms' } } } },
    });
    expect(schema.validate({ phone: '+12015550123' })).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/phone',
          keyword: 'format',
          // Kratos's exact text, naming the opt-out the identity meta-schema accepts.
          message:
            'no format specified. A format is required if verification is enabled. If this was intentional, please set "format" to "no-validate"',
          context: {},
        },
      ],
    });
  });

  it('checks email verification and recovery addresses when the schema sets no format', async () => {
    const schema = await compile({
      properties: {
        email: {
          type: 'string',
          'ory.sh/kratos': { verification: { via: 'email' }, recovery: { via: 'email' } },
        },
      },
    });
    expect(schema.validate({ email: 'nope' })).toEqual({
      ok: false,
      errors: [
        {
          pointer: '#/traits/email',
          keyword: 'format',
          message: '"nope" is not valid "email"',
          context: { expected_format: 'email', actual_value: 'nope' },
        },
      ],
    });
    expect(expectValid(schema.validate({ email: 'OK@x.org' })).verifiable).toEqual([
      { value: 'ok@x.org', via: 'email' },
    ]);
  });

  it('lets `no-validate` opt out of the format check', async () => {
    const schema = await compile({
      properties: {
        email: {
          type: 'string',
          format: 'no-validate',
          'ory.sh/kratos': { verification: { via: 'email' } },
        },
      },
    });
    expect(expectValid(schema.validate({ email: 'Anything' })).verifiable).toEqual([
      { value: 'anything', via: 'email' },
    ]);
  });

  it('skips empty identifiers and values of other types', async () => {
    const schema = await compile({
      properties: {
        username: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
        flag: { type: 'boolean', 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
      },
    });
    const result = expectValid(schema.validate({ username: '  ', flag: true }));
    expect(result.identifiers.password).toEqual([]);
  });

  it('treats a trait literally named "ory.sh/kratos" as a trait, not as the keyword', async () => {
    const schema = await compile({
      properties: {
        'ory.sh/kratos': { type: 'string' },
        email: passwordEmail,
      },
      additionalProperties: false,
    });
    const result = expectValid(schema.validate({ 'ory.sh/kratos': 'x', email: 'a@x.org' }));
    expect(result.traits).toEqual({ 'ory.sh/kratos': 'x', email: 'a@x.org' });
  });
});
