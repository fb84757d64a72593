/**
 * Sign in with Apple sends the person's name once, on the first authorization, and not in the ID
 * token: as a `user` form field (`{"name": {"firstName", "lastName"}, "email"}`) of its form_post
 * callback, which reaches the callback GET as a query parameter (form-post.ts). Kratos's
 * `decodeQuery` (provider_apple.go) copies it into the claims the mapper sees, where the token left
 * them empty; so does this, so an Apple sign-up can fill `traits.name` on the first sign-in.
 *
 * The field is not signed: it is only the person's own account of their name, never used where
 * the ID token says otherwise. One difference from Kratos, on purpose: Kratos also copies the
 * first name into `family_name`; here `family_name` is the last name, as the claim means.
 */
import type { ProviderClaims } from './claims.js';

export function withAppleUserName(claims: ProviderClaims, user: string | null): ProviderClaims {
  const name = appleUserName(user);
  if (name === undefined) return claims;
  const filled: ProviderClaims = { ...claims };
  const empty = (claim: 'given_name' | 'family_name' | 'last_name') =>
    filled[claim] === undefined || filled[claim] === '';
  if (name.firstName !== undefined && empty('given_name')) filled.given_name = name.firstName;
  if (name.lastName !== undefined) {
    if (empty('family_name')) filled.family_name = name.lastName;
    if (empty('last_name')) filled.last_name = name.lastName;
  }
  return filled;
}

function appleUserName(user: string | null): { firstName?: string; lastName?: string } | undefined {
  if (user === null || user === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(user);
  } catch {
    return undefined;
  }
  const name =
    typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
  if (typeof name !== 'object' || name === null) return undefined;
  const { firstName, lastName } = name as { firstName?: unknown; lastName?: unknown };
  return {
    ...(typeof firstName === 'string' ? { firstName } : {}),
    ...(typeof lastName === 'string' ? { lastName } : {}),
  };
}
