import { randomUUID } from 'node:crypto';
import type { AddressVia, RecoveryAddress, VerifiableAddress, VerifiableAddressStatus } from './model.js';
import { normalizeIdentifierGraceful } from './schema/index.js';

/** A verifiable address as an admin may import it (e.g. already verified elsewhere). */
export interface ImportedVerifiableAddress {
  value: string;
  via: string;
  verified?: boolean;
  status?: string;
  verified_at?: string;
}

/**
 * Matches addresses by their normalised value, both sides normalised (as Kratos's recovery
 * extension does), so an address stored or imported in another spelling, such as a phone number
 * written before numbers were stored in E.164, is still recognised with its id and verified state.
 */
const key = (via: string, value: string): string => `${via}\u0000${normalizeIdentifierGraceful(value)}`;

/** A known address under the value the schema derives now, if its stored spelling differs. */
function respelled<A extends { value: string; updated_at: Date }>(address: A, value: string, now: Date): A {
  return address.value === value ? address : { ...address, value, updated_at: now };
}

/**
 * The verifiable addresses the schema derives from the traits, keeping what is known about
 * addresses that stay (id, verified state): the schema decides which addresses exist, the
 * stored state and admin imports decide whether they are verified.
 */
export function reconcileVerifiableAddresses(
  derived: { value: string; via: AddressVia }[],
  existing: VerifiableAddress[],
  imported: ImportedVerifiableAddress[],
  now: Date,
): VerifiableAddress[] {
  const known = new Map(existing.map((a) => [key(a.via, a.value), a]));
  const fromImport = new Map(imported.map((a) => [key(a.via, a.value), a]));
  return derived.map(({ value, via }) => {
    const found = known.get(key(via, value));
    const previous = found && respelled(found, value, now);
    const override = fromImport.get(key(via, value));
    const base: VerifiableAddress = previous ?? {
      id: randomUUID(),
      value,
      via,
      verified: false,
      verified_at: null,
      status: 'pending',
      created_at: now,
      updated_at: now,
    };
    if (!override || override.verified === undefined || override.verified === base.verified) return base;
    const verified = override.verified;
    return {
      ...base,
      verified,
      verified_at: verified ? (override.verified_at ? new Date(override.verified_at) : now) : null,
      status: verified ? 'completed' : toStatus(override.status),
      updated_at: now,
    };
  });
}

function toStatus(status: string | undefined): VerifiableAddressStatus {
  return status === 'sent' || status === 'completed' ? status : 'pending';
}

export function reconcileRecoveryAddresses(
  derived: { value: string; via: AddressVia }[],
  existing: RecoveryAddress[],
  now: Date,
): RecoveryAddress[] {
  const known = new Map(existing.map((a) => [key(a.via, a.value), a]));
  return derived.map(({ value, via }) => {
    const found = known.get(key(via, value));
    return found
      ? respelled(found, value, now)
      : { id: randomUUID(), value, via, created_at: now, updated_at: now };
  });
}
