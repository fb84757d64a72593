import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWTPayload, jwtVerify } from 'jose';
import { claimsFrom, type ProviderClaims } from './claims.js';
import type { ProviderClient } from './client.js';
import { OidcFailure } from './errors.js';
import { asFailure } from './exchange.js';
import { hashesIdTokenNonce, mayOmitIdTokenNonce } from './presets.js';

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Each provider's published keys, fetched when first needed and refreshed by jose on unknown `kid`s. */
const keySets = new WeakMap<ProviderClient, KeySet>();

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies an ID token a native app got from the provider itself (Kratos's `id_token`
 * submission): signed by a key the provider publishes, issued by the provider, for our client id
 * (or one of `additional_id_token_audiences`), not expired, and carrying the nonce the app
 * submits beside it — the nonce is required, so a token taken from elsewhere cannot be replayed
 * into a sign-in it was not made for.
 */
export async function verifyIdToken(
  client: ProviderClient,
  idToken: string,
  nonce: string | undefined,
): Promise<ProviderClaims> {
  let payload: JWTPayload;
  let issuer: string;
  try {
    const server = (await client.configuration()).serverMetadata();
    issuer = server.issuer;
    if (server.jwks_uri === undefined)
      throw new OidcFailure('unavailable', 'The provider publishes no keys.');
    let keys = keySets.get(client);
    if (keys === undefined) {
      const fetchKeys: FetchImplementation = (url, options) =>
        client.fetch(url, {
          method: options.method,
          headers: Object.fromEntries(options.headers),
          body: undefined,
          redirect: 'manual',
          signal: options.signal,
        });
      keys = createRemoteJWKSet(new URL(server.jwks_uri), { [customFetch]: fetchKeys });
      keySets.set(client, keys);
    }
    ({ payload } = await jwtVerify(idToken, keys, {
      issuer,
      audience: [client.config.clientId, ...client.config.additionalIdTokenAudiences],
    }));
  } catch (error) {
    throw asFailure(error);
  }
  const tokenNonce = typeof payload.nonce === 'string' ? payload.nonce : '';
  if (tokenNonce === '') {
    // As Kratos's ProcessIDToken: a token without a nonce only from a provider whose SDKs may
    // not set one (Google's, Apple's), whatever the submission says.
    if (mayOmitIdTokenNonce(client.config)) return claimsFrom(issuer, { ...payload });
    throw new OidcFailure('exchange', 'The ID token carries no nonce, which this provider requires.');
  }
  if (nonce === undefined || nonce === '') {
    throw new OidcFailure('exchange', 'The ID token carries a nonce, but the submission does not.');
  }
  const expected = hashesIdTokenNonce(client.config)
    ? createHash('sha256').update(nonce).digest('hex')
    : nonce;
  if (!sameText(tokenNonce, expected))
    throw new OidcFailure('exchange', 'The ID token was made for another nonce.');
  return claimsFrom(issuer, { ...payload });
}
