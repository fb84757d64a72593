import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../identity/model.js';
import { identifierLabel } from './identifier-label.js';
import { emailPasswordSchema, examSchema, nestedTelSchema } from './testing/schemas.js';

/**
 * The cases of Kratos's `selfservice/flow/login/extension_identifier_label_test.go`: an email and
 * a username trait, each with the given `ory.sh/kratos` credentials.
 */
function schemaWith(
  email: JsonObject,
  username: JsonObject,
  titles = { email: 'Email', username: 'Username' },
) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      traits: {
        type: 'object',
        properties: {
          email: { title: titles.email, type: 'string', 'ory.sh/kratos': { credentials: email } },
          username: { title: titles.username, type: 'string', 'ory.sh/kratos': { credentials: username } },
        },
      },
    },
  } satisfies JsonObject;
}

const generated = (title: string, name: string) => ({
  id: 1070002,
  text: title,
  type: 'info',
  context: { name, title },
});
const id = { id: 1070004, text: 'ID', type: 'info' };

describe('identifierLabel', () => {
  it.each([
    ['email for password', { password: { identifier: true } }],
    ['email for webauthn', { webauthn: { identifier: true } }],
    ['email for totp', { totp: { account_name: true } }],
    ['email for code', { code: { identifier: true } }],
    ['email for passkey', { passkey: { display_name: true } }],
    [
      'email for all',
      {
        password: { identifier: true },
        webauthn: { identifier: true },
        totp: { account_name: true },
        code: { identifier: true },
      },
    ],
  ])('%s: the title of the one identifier', (_case, credentials) => {
    expect(identifierLabel(schemaWith(credentials, {}))).toEqual(generated('Email', 'traits.email'));
  });

  it('username works as well', () => {
    expect(identifierLabel(schemaWith({}, { password: { identifier: true } }))).toEqual(
      generated('Username', 'traits.username'),
    );
  });

  it('falls back to ID with several identifiers', () => {
    expect(
      identifierLabel(schemaWith({ password: { identifier: true } }, { password: { identifier: true } })),
    ).toEqual(id);
  });

  it('falls back to ID with no identifier', () => {
    expect(identifierLabel(schemaWith({}, {}))).toEqual(id);
  });

  it('falls back to ID when the one identifier has no title', () => {
    expect(
      identifierLabel(schemaWith({ password: { identifier: true } }, {}, { email: '', username: 'U' })),
    ).toEqual(id);
  });

  it('ignores flags that are not true', () => {
    expect(
      identifierLabel(schemaWith({ password: { identifier: false } }, { code: { via: 'email' } })),
    ).toEqual(id);
  });

  it('labels the three test schemas', () => {
    expect(identifierLabel(emailPasswordSchema)).toEqual(generated('E-Mail', 'traits.email'));
    expect(identifierLabel(examSchema)).toEqual(generated('E-Mail', 'traits.email'));
    expect(identifierLabel(nestedTelSchema)).toEqual(generated('Phone number', 'traits.phone'));
  });
});
