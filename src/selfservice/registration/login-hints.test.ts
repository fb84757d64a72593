import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/areas/selfservice.js';
import type { KratosConfigDocument } from '../../config/types.js';
import type { IdentityManager } from '../../identity/manager.js';
import type { Credential, Identity, JsonObject } from '../../identity/model.js';
import type { IdentitySchemas, TraitsValidation } from '../../identity/ports.js';
import { duplicateCredentialsMessage } from './login-hints.js';

const AT = new Date('2026-01-01T00:00:00Z');

function credential(type: Credential['type'], identifiers: string[], config: JsonObject): Credential {
  return { type, identifiers, config, version: 0, created_at: AT, updated_at: AT };
}

function identity(id: string, credentials: Credential[]): Identity {
  return {
    id,
    schema_id: 'default',
    traits: {},
    state: 'active',
    state_changed_at: null,
    metadata_public: null,
    metadata_admin: null,
    external_id: null,
    credentials: Object.fromEntries(credentials.map((c) => [c.type, c])),
    verifiable_addresses: [],
    recovery_addresses: [],
    created_at: AT,
    updated_at: AT,
  };
}

/** An identity manager that knows `stored` and answers only the lookups the hints make. */
function identities(stored: Identity[]): IdentityManager {
  const refuse = () => Promise.reject(new Error('not used by the hints'));
  return {
    async list(query) {
      const wanted = query.credentialsIdentifier?.normalized;
      return {
        identities: stored.filter((i) =>
          Object.values(i.credentials).some((c) => c?.identifiers.includes(wanted ?? '')),
        ),
      };
    },
    async get(id) {
      const found = stored.find((i) => i.id === id);
      if (!found) throw new Error('gone');
      return found;
    },
    create: refuse,
    update: refuse,
    replace: refuse,
    patch: refuse,
    delete: refuse,
    deleteCredential: refuse,
  };
}

function schemas(validation: TraitsValidation): IdentitySchemas {
  return { defaultId: 'default', validate: () => validation, schemaUrl: (id) => id };
}

const newIdentity: TraitsValidation = {
  ok: true,
  traits: { email: 'ada@example.com', username: 'ada2' },
  identifiers: { password: ['ada2'] },
  verifiable: [{ value: 'ada@example.com', via: 'email' }],
  recovery: [],
};
const body = { schema_id: 'default', traits: newIdentity.ok ? newIdentity.traits : {} };
const read = (document: object) =>
  selfServiceConfig(document as KratosConfigDocument, new URL('https://a.test/'));
const config = (loginHints: boolean) =>
  read({ selfservice: { flows: { registration: { login_hints: loginHints } } } });

describe('duplicateCredentialsMessage', () => {
  const existing = identity('a', [
    credential('password', ['ada'], { hashed_password: '$argon2id$x' }),
    credential('oidc', ['google:1', 'github:2'], {
      providers: [
        { provider: 'google', subject: '1' },
        { provider: 'github', subject: '2' },
      ],
    }),
    credential('totp', [], { totp_url: 'otpauth://x' }),
  ]);

  it('names the address in the way and every first factor of its account, sorted (4000028)', async () => {
    const message = await duplicateCredentialsMessage(
      {
        config: config(true),
        identities: identities([existing]),
        schemas: schemas(newIdentity),
        addresses: {
          identityIdByVerifiableAddress: async (value) => (value === 'ada@example.com' ? 'a' : undefined),
          identityIdByRecoveryAddress: async () => undefined,
        },
      },
      body,
    );
    expect(message).toEqual({
      id: 4000028,
      type: 'error',
      text:
        'You tried signing in with ada@example.com which is already in use by another account. You can sign in ' +
        'using social sign in, or your password. You can sign in using one of the following social sign in providers: Github, Google.',
      context: {
        available_credential_types: ['oidc', 'password'],
        available_oidc_providers: ['github', 'google'],
        credential_identifier_hint: 'ada@example.com',
      },
    });
  });

  it('says only that the identifier exists when login hints are off, or no account is found', async () => {
    const deps = { identities: identities([existing]), schemas: schemas(newIdentity) };
    for (const hints of [
      { ...deps, config: config(false) },
      { ...deps, config: config(true), identities: identities([]) },
    ]) {
      expect((await duplicateCredentialsMessage(hints, body)).id).toBe(4000007);
    }
  });

  it('counts a passkey only when it signs in without a password', async () => {
    const keys = (passwordless: boolean) =>
      identity('k', [
        credential('password', ['ada2'], {}),
        credential('passkey', ['handle'], { credentials: [{ is_passwordless: passwordless }] }),
      ]);
    const deps = { config: config(true), schemas: schemas(newIdentity) };
    const withKey = await duplicateCredentialsMessage(
      { ...deps, identities: identities([keys(true)]) },
      body,
    );
    expect(withKey.context).toMatchObject({
      available_credential_types: ['passkey'],
      credential_identifier_hint: 'ada2',
    });
    const without = await duplicateCredentialsMessage(
      { ...deps, identities: identities([keys(false)]) },
      body,
    );
    expect(without.context).toMatchObject({ available_credential_types: [] });
  });
});
