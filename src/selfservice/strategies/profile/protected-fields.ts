/**
 * Which trait changes need a privileged session (Kratos's `requiresPrivilegedAccess`): any
 * change to what the identity signs in with (the identifiers of its credentials) or to where it
 * can be reached to verify or recover the account (verifiable and recovery addresses).
 */

import type { AddressVia, Identity } from '../../../identity/model.js';

/** What the identity schema derives from the new traits. */
export interface DerivedFromTraits {
  identifiers: Partial<Record<string, string[]>>;
  verifiable: readonly { value: string; via: AddressVia }[];
  recovery: readonly { value: string; via: AddressVia }[];
}

/**
 * Whether `next` changes an identifier of one of the identity's credentials or the set of its
 * verifiable or recovery addresses. Addresses compare as the identity manager matches them
 * (channel and case-insensitive value), so a change the manager would not store as a new
 * address is not a change here either. OIDC identifiers come from providers, not traits.
 */
export function changesProtectedFields(identity: Identity, next: DerivedFromTraits): boolean {
  for (const credential of Object.values(identity.credentials)) {
    if (!credential || credential.type === 'oidc') continue;
    if (!sameSet(credential.identifiers, next.identifiers[credential.type] ?? [])) return true;
  }
  return (
    !sameSet(identity.verifiable_addresses.map(addressKey), next.verifiable.map(addressKey)) ||
    !sameSet(identity.recovery_addresses.map(addressKey), next.recovery.map(addressKey))
  );
}

/** The values of `after`'s addresses that `before` did not have (by channel and case-insensitive value). */
export function addedAddresses(
  before: readonly { value: string; via: AddressVia }[],
  after: readonly { value: string; via: AddressVia }[],
): string[] {
  const known = new Set(before.map(addressKey));
  return after.filter((address) => !known.has(addressKey(address))).map((address) => address.value);
}

function addressKey(address: { value: string; via: AddressVia }): string {
  return `${address.via}\u0000${address.value.toLowerCase()}`;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
