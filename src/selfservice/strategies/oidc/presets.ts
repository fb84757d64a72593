/**
 * What each provider preset fills in (Kratos's `selfservice/strategy/oidc/provider_*.go`): where
 * its issuer or endpoints are, how its claims are read, and whether a native app may submit its
 * `id_token`. `generic` and `auth0` need `issuer_url`; every preset takes explicit
 * `issuer_url` / `auth_url` / `token_url` over its own (self-hosted GitLab, tests).
 */

import type { OidcProviderConfig } from '../../../config/areas/oidc.js';

/**
 * How the person's claims are read after the code exchange: from the ID token or UserInfo of an
 * OpenID provider, or from the user API of an OAuth 2 provider that is not one.
 */
export type ClaimsStyle = 'oidc' | 'github' | 'discord';

/** The resolved protocol view of one configured provider. */
export type ProviderEndpoints =
  /** An OpenID provider found by discovery at `issuer`. */
  | { kind: 'discovery'; issuer: string; style: 'oidc' }
  /** A plain OAuth 2 provider with fixed endpoints and its own user API. */
  | {
      kind: 'oauth2';
      issuer: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      style: Exclude<ClaimsStyle, 'oidc'>;
    };

/** Scopes a preset asks for when the config lists none (Kratos always adds `openid` to OIDC ones). */
const DEFAULT_SCOPES: Record<ClaimsStyle, readonly string[]> = {
  oidc: ['openid'],
  github: ['user:email'],
  discord: ['identify', 'email'],
};

/** The endpoints of a provider from its preset and the config's overrides. */
export function providerEndpoints(provider: OidcProviderConfig): ProviderEndpoints {
  switch (provider.kind) {
    case 'github':
      return {
        kind: 'oauth2',
        issuer: provider.issuerUrl ?? 'https://github.com',
        authorizationEndpoint: provider.authUrl ?? 'https://github.com/login/oauth/authorize',
        tokenEndpoint: provider.tokenUrl ?? 'https://github.com/login/oauth/access_token',
        style: 'github',
      };
    case 'discord':
      return {
        kind: 'oauth2',
        issuer: provider.issuerUrl ?? 'https://discord.com',
        authorizationEndpoint: provider.authUrl ?? 'https://discord.com/oauth2/authorize',
        tokenEndpoint: provider.tokenUrl ?? 'https://discord.com/api/oauth2/token',
        style: 'discord',
      };
    case 'google':
      return {
        kind: 'discovery',
        issuer: provider.issuerUrl ?? 'https://accounts.google.com',
        style: 'oidc',
      };
    case 'gitlab':
      return { kind: 'discovery', issuer: provider.issuerUrl ?? 'https://gitlab.com', style: 'oidc' };
    case 'apple':
      return { kind: 'discovery', issuer: provider.issuerUrl ?? 'https://appleid.apple.com', style: 'oidc' };
    case 'microsoft':
      return {
        kind: 'discovery',
        issuer:
          provider.issuerUrl ??
          `https://login.microsoftonline.com/${encodeURIComponent(provider.microsoftTenant ?? 'common')}/v2.0`,
        style: 'oidc',
      };
    case 'generic':
    case 'auth0':
      // The config area refuses these without issuer_url.
      return { kind: 'discovery', issuer: provider.issuerUrl ?? '', style: 'oidc' };
  }
}

/** The scopes to request: the configured ones, with `openid` always there for OpenID providers. */
export function providerScopes(provider: OidcProviderConfig): string[] {
  const style = providerEndpoints(provider).style;
  const scopes = provider.scope.length > 0 ? [...provider.scope] : [...DEFAULT_SCOPES[style]];
  if (style === 'oidc' && !scopes.includes('openid')) scopes.unshift('openid');
  return scopes;
}

/**
 * The `response_mode` a preset puts in the authorization URL, if any. Apple answers requests for
 * the `email` or `name` scope only with `form_post` (Kratos's `ProviderApple.AuthCodeURLOptions`),
 * so its callback arrives as a POST (see form-post.ts).
 */
export function authorizationResponseMode(provider: OidcProviderConfig): 'form_post' | undefined {
  if (provider.kind !== 'apple') return undefined;
  const scopes = providerScopes(provider);
  return scopes.includes('email') || scopes.includes('name') ? 'form_post' : undefined;
}

/**
 * Whether a native app may submit this provider's `id_token` (Kratos: Apple and Google). Here any
 * OpenID provider found by discovery may: the token is checked against its published keys, issuer
 * and audience all the same. The OAuth 2 presets issue no ID token.
 */
export function acceptsIdTokens(provider: OidcProviderConfig): boolean {
  return providerEndpoints(provider).kind === 'discovery';
}

/**
 * Apple's ID tokens carry the SHA-256 (hex) of the nonce the app sent, other providers the nonce
 * itself; see Kratos's `provider_apple.go`.
 */
export function hashesIdTokenNonce(provider: OidcProviderConfig): boolean {
  return provider.kind === 'apple';
}

/**
 * Whether an ID token without a nonce is taken from this provider, as Kratos's
 * NonceValidationSkipper: Google and Apple (of the presets here) implement it, because not all
 * of their SDKs can set a nonce. A token that carries one is still checked against it.
 */
export function mayOmitIdTokenNonce(provider: OidcProviderConfig): boolean {
  return provider.kind === 'google' || provider.kind === 'apple';
}

/**
 * Where a browser is sent to sign in with `provider`: the built-in UI's CSP `form-action` must
 * allow these origins, since browsers apply it to the redirect that follows the button's post.
 * For discovered providers the issuer's origin stands in for the authorization endpoint's (they
 * are the same for every preset); `auth_url` names it exactly.
 */
export function authorizationOrigin(provider: OidcProviderConfig): string | undefined {
  const endpoints = providerEndpoints(provider);
  const url =
    endpoints.kind === 'oauth2' ? endpoints.authorizationEndpoint : (provider.authUrl ?? endpoints.issuer);
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
