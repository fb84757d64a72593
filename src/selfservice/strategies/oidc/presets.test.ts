import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../../config/areas/oidc.js';
import {
  acceptsIdTokens,
  authorizationOrigin,
  authorizationResponseMode,
  providerEndpoints,
  providerScopes,
} from './presets.js';

function provider(overrides: Partial<OidcProviderConfig>): OidcProviderConfig {
  return {
    id: 'p',
    kind: 'generic',
    label: undefined,
    clientId: 'c',
    clientSecret: 's',
    issuerUrl: undefined,
    authUrl: undefined,
    tokenUrl: undefined,
    mapperUrl: 'file://m',
    scope: [],
    claimsSource: 'id_token',
    pkce: 'auto',
    requestedClaims: undefined,
    microsoftTenant: undefined,
    additionalIdTokenAudiences: [],
    apple: undefined,
    ...overrides,
  };
}

describe('provider presets', () => {
  it('discovers OpenID providers at their issuer, overridable', () => {
    expect(providerEndpoints(provider({ kind: 'google' }))).toEqual({
      kind: 'discovery',
      issuer: 'https://accounts.google.com',
      style: 'oidc',
    });
    expect(
      providerEndpoints(provider({ kind: 'microsoft', microsoftTenant: 'contoso.onmicrosoft.com' })),
    ).toMatchObject({
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    });
    expect(
      providerEndpoints(provider({ kind: 'gitlab', issuerUrl: 'https://git.example.com' })),
    ).toMatchObject({
      issuer: 'https://git.example.com',
    });
  });

  it("uses GitHub's and Discord's OAuth 2 endpoints and user APIs; they take no ID tokens", () => {
    const github = provider({ kind: 'github' });
    expect(providerEndpoints(github)).toMatchObject({
      kind: 'oauth2',
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      style: 'github',
    });
    expect(acceptsIdTokens(github)).toBe(false);
    expect(providerScopes(github)).toEqual(['user:email']);
    expect(authorizationOrigin(github)).toBe('https://github.com');
    expect(providerEndpoints(provider({ kind: 'discord' }))).toMatchObject({ style: 'discord' });
  });

  it('always asks OpenID providers for the openid scope', () => {
    expect(providerScopes(provider({ kind: 'google', scope: ['email'] }))).toEqual(['openid', 'email']);
    expect(providerScopes(provider({ kind: 'google' }))).toEqual(['openid']);
  });

  it('asks Apple for form_post when the email or name scope is requested, as Apple requires', () => {
    expect(authorizationResponseMode(provider({ kind: 'apple', scope: ['email'] }))).toBe('form_post');
    expect(authorizationResponseMode(provider({ kind: 'apple', scope: ['openid', 'name'] }))).toBe(
      'form_post',
    );
    expect(authorizationResponseMode(provider({ kind: 'apple', scope: [] }))).toBeUndefined();
    expect(authorizationResponseMode(provider({ kind: 'apple', scope: ['openid'] }))).toBeUndefined();
    // Other presets keep the default (query) response mode, whatever they ask for.
    expect(authorizationResponseMode(provider({ kind: 'google', scope: ['email'] }))).toBeUndefined();
    expect(authorizationResponseMode(provider({ kind: 'generic', scope: ['name'] }))).toBeUndefined();
  });
});
