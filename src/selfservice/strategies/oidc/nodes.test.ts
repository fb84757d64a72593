import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../../config/areas/oidc.js';
import type { Credential, Identity, JsonObject } from '../../../identity/model.js';
import { linkedProviders, signInMethodCount, withLinkedProvider } from './credentials.js';
import { oidcLoginNodes, oidcSettingsNodes } from './nodes.js';

const google = { id: 'google', label: 'Google' } as OidcProviderConfig;
const github = { id: 'github', label: undefined } as OidcProviderConfig;

function identity(credentials: Identity['credentials']): Identity {
  const at = new Date(0);
  return {
    id: 'i',
    schema_id: 'default',
    traits: {},
    state: 'active',
    state_changed_at: null,
    metadata_public: null,
    metadata_admin: null,
    external_id: null,
    credentials,
    verifiable_addresses: [],
    recovery_addresses: [],
    created_at: at,
    updated_at: at,
  };
}

const credential = (type: 'password' | 'oidc', config: object): Credential => ({
  type,
  identifiers: [],
  config: config as JsonObject,
  version: 0,
  created_at: new Date(0),
  updated_at: new Date(0),
});

describe('oidc nodes', () => {
  it('labels login buttons with the label, else the id (1010002)', () => {
    expect(
      oidcLoginNodes([google, github]).map((n) => [n.attributes.name, n.attributes.value, n.meta.label]),
    ).toEqual([
      [
        'provider',
        'google',
        {
          id: 1010002,
          text: 'Sign in with Google',
          type: 'info',
          context: { provider: 'Google', provider_id: 'google' },
        },
      ],
      [
        'provider',
        'github',
        {
          id: 1010002,
          text: 'Sign in with github',
          type: 'info',
          context: { provider: 'github', provider_id: 'github' },
        },
      ],
    ]);
  });

  it('offers unlink only when another way to sign in stays', () => {
    const names = (canUnlink: boolean) =>
      oidcSettingsNodes([google, github], new Set(['google']), canUnlink).map(
        (n) => `${n.attributes.name}:${n.attributes.value}`,
      );
    expect(names(false)).toEqual(['link:github']);
    expect(names(true)).toEqual(['unlink:google', 'link:github']);
  });
});

describe('oidc credentials', () => {
  it('counts a password and each linked provider as ways to sign in', () => {
    const onlyProvider = identity({
      oidc: credential('oidc', { providers: [{ provider: 'google', subject: '1' }] }),
    });
    expect(signInMethodCount(onlyProvider)).toBe(1);
    const both = identity({
      ...onlyProvider.credentials,
      password: credential('password', { hashed_password: '$argon2id$...' }),
    });
    expect(signInMethodCount(both)).toBe(2);
  });

  it('adds a provider account beside the linked ones, replacing one of the same provider', () => {
    const linked = identity({
      oidc: credential('oidc', { providers: [{ provider: 'google', subject: '1' }] }),
    });
    expect(linkedProviders(linked)).toEqual([{ provider: 'google', subject: '1' }]);
    expect(withLinkedProvider(linked, { provider: 'github', subject: '2' })).toEqual({
      oidc: {
        config: {
          providers: [
            { provider: 'google', subject: '1' },
            { provider: 'github', subject: '2' },
          ],
        },
      },
    });
  });
});
