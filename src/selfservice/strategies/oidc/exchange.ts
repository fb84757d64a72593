import * as oidc from 'openid-client';
import type { ProviderTokenSet } from '../../../identity/provider-tokens.js';
import { OutboundHttpError } from '../../../kernel/http-client.js';
import { withAppleUserName } from './apple-user.js';
import { fetchClaims, type ProviderClaims } from './claims.js';
import type { ProviderClient } from './client.js';
import { OidcFailure } from './errors.js';
import type { OidcContinuity } from './state-store.js';

/** What a redeemed authorization response gives: the person's claims and the provider's tokens. */
export interface ExchangedCode {
  claims: ProviderClaims;
  tokens: ProviderTokenSet;
}

/**
 * Redeems the authorization response for the person's claims and the tokens, which are kept
 * (sealed) when the account is linked, as Kratos keeps them. openid-client checks the `state`
 * (against the one the row was found by), the response's `iss` where the provider sends it, the
 * PKCE verifier, and the ID token: signature, issuer, audience, expiry and nonce.
 */
export async function exchangeCode(
  client: ProviderClient,
  continuity: OidcContinuity,
  state: string,
  response: URLSearchParams,
): Promise<ExchangedCode> {
  try {
    const configuration = await client.configuration();
    // The URL the provider sent the browser to: the registered redirect URI with the response's
    // parameters (the query; a form_post reaches the GET as one), whatever proxy the request crossed.
    const current = new URL(client.redirectUri);
    for (const [name, value] of response) current.searchParams.append(name, value);
    const oidcStyle = client.endpoints.style === 'oidc';
    const tokens = await oidc.authorizationCodeGrant(configuration, current, {
      expectedState: state,
      ...(continuity.nonce !== null ? { expectedNonce: continuity.nonce } : {}),
      ...(continuity.pkceVerifier !== null ? { pkceCodeVerifier: continuity.pkceVerifier } : {}),
      idTokenExpected: oidcStyle,
    });
    const fetched = await fetchClaims(client, tokens);
    const claims =
      client.config.kind === 'apple' ? withAppleUserName(fetched, response.get('user')) : fetched;
    return {
      claims,
      tokens: {
        id_token: tokens.id_token,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
      },
    };
  } catch (error) {
    throw asFailure(error);
  }
}

/** Sorts a library error into the stage the person is told about; the cause is logged. */
export function asFailure(error: unknown): OidcFailure {
  if (error instanceof OidcFailure) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    return new OidcFailure(
      'provider',
      `The provider refused the sign-in: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
      { cause: error },
    );
  }
  if (error instanceof OutboundHttpError || hasOutboundCause(error)) {
    return new OidcFailure('unavailable', 'The provider could not be reached.', { cause: error });
  }
  return new OidcFailure('exchange', "The provider's answer could not be verified.", { cause: error });
}

function hasOutboundCause(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundHttpError) return true;
  }
  return false;
}
