import * as oidc from 'openid-client';
import type { SealedProviderTokens } from '../../../identity/provider-tokens.js';
import type { ProviderClient } from './client.js';
import { OidcFailure } from './errors.js';

/**
 * The person's claims as the mapper sees them (`std.extVar('claims')`): the standard claims at the
 * top level as Kratos's `Claims` struct names them, everything the provider sent in `raw_claims`.
 */
export interface ProviderClaims {
  iss: string;
  sub: string;
  [claim: string]: unknown;
  raw_claims: Record<string, unknown>;
}

/**
 * One person's answer from a provider: the claims that say who they are, and the tokens its token
 * endpoint issued, sealed to be kept with the account when it is linked (as Kratos keeps
 * `initial_*_token`). A native app's ID token comes with none kept, as in Kratos.
 */
export interface ProviderAccount {
  claims: ProviderClaims;
  tokens: SealedProviderTokens | undefined;
}

/** The standard claims Kratos copies to the top level. */
const STANDARD = [
  'name',
  'given_name',
  'family_name',
  'last_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'updated_at',
  'hd',
  'team',
] as const;

/** Claims from a claim set (ID token, UserInfo, or a user API translated to claim names). */
export function claimsFrom(issuer: string, raw: Record<string, unknown>): ProviderClaims {
  const sub = raw.sub;
  if (typeof sub !== 'string' || sub === '') throw new OidcFailure('claims', 'The provider sent no subject.');
  const claims: ProviderClaims = { iss: issuer, sub, raw_claims: raw };
  for (const name of STANDARD) if (raw[name] !== undefined) claims[name] = raw[name];
  if (claims.email_verified !== undefined) claims.email_verified = convertibleBoolean(claims.email_verified);
  return claims;
}

/**
 * Kratos's `x.ConvertibleBoolean` for `email_verified`: Apple sends it as the string "true", and
 * a mapper's `claims.email_verified && ...` would fail on a string, so 1/0 and "true"/"false" are
 * read as the booleans they mean (anything else is passed on as sent).
 */
function convertibleBoolean(value: unknown): unknown {
  if (value === true || value === 'true' || value === 1) return true;
  if (value === false || value === 'false' || value === 0) return false;
  return value;
}

/** The tokens of a finished code exchange. */
export type TokenResponse = Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;

/** The person's claims after the code exchange, from where the provider's preset says. */
export async function fetchClaims(client: ProviderClient, tokens: TokenResponse): Promise<ProviderClaims> {
  const configuration = await client.configuration();
  const issuer = configuration.serverMetadata().issuer;
  switch (client.endpoints.style) {
    case 'github':
      return githubClaims(client, issuer, tokens.access_token);
    case 'discord':
      return discordClaims(client, issuer, tokens.access_token);
    case 'oidc': {
      const idToken = tokens.claims();
      if (idToken === undefined) throw new OidcFailure('claims', 'The provider sent no ID token.');
      if (client.config.claimsSource === 'userinfo') {
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
        return claimsFrom(issuer, { ...info });
      }
      return claimsFrom(issuer, { ...idToken });
    }
  }
}

async function getJson(client: ProviderClient, url: string, accessToken: string): Promise<unknown> {
  const response = await client.fetch(url, {
    method: 'GET',
    headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` },
    body: undefined,
    redirect: 'manual',
  });
  if (response.status !== 200)
    throw new OidcFailure('claims', `The provider's user API answered ${response.status}.`);
  return response.json();
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * GitHub is OAuth 2 only: the account from `/user`, the primary verified address from
 * `/user/emails` (Kratos's `provider_github.go`).
 */
async function githubClaims(client: ProviderClient, issuer: string, token: string): Promise<ProviderClaims> {
  const api =
    client.config.issuerUrl === undefined
      ? 'https://api.github.com'
      : new URL('api/v3', client.config.issuerUrl).toString();
  const user = record(await getJson(client, `${api}/user`, token));
  const raw: Record<string, unknown> = {
    sub: user.id === undefined ? undefined : String(user.id),
    name: user.name,
    nickname: user.login,
    preferred_username: user.login,
    picture: user.avatar_url,
    profile: user.html_url,
    website: user.blog,
  };
  const emails = await getJson(client, `${api}/user/emails`, token);
  const primary = (Array.isArray(emails) ? emails.map(record) : []).find((e) => e.primary === true);
  if (primary && typeof primary.email === 'string') {
    raw.email = primary.email;
    raw.email_verified = primary.verified === true;
  }
  return claimsFrom(issuer, { ...user, ...raw });
}

/** Discord is OAuth 2 only: the account from `/users/@me` (Kratos's `provider_discord.go`). */
async function discordClaims(client: ProviderClient, issuer: string, token: string): Promise<ProviderClaims> {
  const user = record(await getJson(client, 'https://discord.com/api/users/@me', token));
  const id = user.id === undefined ? undefined : String(user.id);
  return claimsFrom(issuer, {
    ...user,
    sub: id,
    name: user.global_name ?? user.username,
    nickname: user.username,
    preferred_username: user.username,
    email: user.email,
    email_verified: user.verified === true,
    locale: user.locale,
    picture:
      typeof user.avatar === 'string' && id !== undefined
        ? `https://cdn.discordapp.com/avatars/${id}/${user.avatar}.png`
        : undefined,
  });
}
