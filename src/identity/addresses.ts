import { randomUUID } from 'node:crypto';
import { badRequest } from '../kernel/errors.js';
import type { AddressVia, RecoveryAddress, VerifiableAddress, VerifiableAddressStatus } from './model.js';
import { isDateTime } from './schema/formats.js';
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
      verified_at: verified ? importedVerifiedAt(override.verified_at, now) : null,
      status: verified ? 'completed' : toStatus(override.status),
      updated_at: now,
    };
  });
}

/**
 * When an imported verified address was verified: its `verified_at`, or now without one. One that
 * is no date-time (`""` too, as Go's NullTime decoding refuses it) is a 400, never stored as an
 * invalid date: the one check every import (create, batch, PUT, JSON Patch) goes through.
 */
function importedVerifiedAt(verifiedAt: string | undefined, now: Date): Date {
  if (verifiedAt === undefined) return now;
  const at = parseGoTime(verifiedAt);
  if (at === undefined) throw badRequest(`verified_at: parsing time "${verifiedAt}" as RFC 3339 failed.`);
  return at;
}

/**
 * A date-time as Go's time.Time decodes one from JSON (Kratos's sqlxx.NullTime and time.Time
 * fields): RFC 3339 with every field in range (no 30 February, no leap second), as the identity
 * schema's `date-time` format checks it, and one a Date reads (which refuses what Go's strict
 * RFC 3339 decoding refuses beyond that: a one-digit hour, a `,` fraction, a +24:00 offset);
 * undefined for anything else. Milliseconds are kept, finer digits dropped.
 */
export function parseGoTime(text: string): Date | undefined {
  if (!isDateTime(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
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
