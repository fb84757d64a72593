import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

/**
 * Lookups and changes by address — what the verification and recovery flows need beside the
 * identity store: which identity an email belongs to, and marking an address verified.
 * Addresses are stored normalised (lower-case emails), so callers normalise first.
 */
export interface AddressStore {
  /** The identity whose verifiable address `value` is, if any. */
  identityIdByVerifiableAddress(value: string): Promise<string | undefined>;
  /** The identity whose recovery address `value` is, if any. */
  identityIdByRecoveryAddress(value: string): Promise<string | undefined>;
  /** Marks the identity's verifiable address verified (status `completed`); false if it has none such. */
  markVerified(identityId: string, value: string, now: Date): Promise<boolean>;
  /** Marks the identity's unverified address as `sent` (a verification message is on its way). */
  markSent(executor: Kysely<Tables>, identityId: string, value: string, now: Date): Promise<void>;
}

/** Rewrites of the identity racing one verification, each replacing the row it waited for. */
const MARK_VERIFIED_ATTEMPTS = 5;

export function createAddressStore(db: Kysely<Tables>): AddressStore {
  return {
    async identityIdByVerifiableAddress(value) {
      const row = await db
        .selectFrom('identity_verifiable_addresses')
        .select('identity_id')
        .where('value', '=', value)
        .orderBy('created_at')
        .executeTakeFirst();
      return row?.identity_id;
    },

    async identityIdByRecoveryAddress(value) {
      const row = await db
        .selectFrom('identity_recovery_addresses')
        .select('identity_id')
        .where('value', '=', value)
        .orderBy('created_at')
        .executeTakeFirst();
      return row?.identity_id;
    },

    async markVerified(identityId, value, now) {
      // A write of the whole identity replaces its address rows (deleted, then inserted again). On
      // PostgreSQL an UPDATE that waited for such a deleted row finds it gone when that write
      // commits, and does not see the row inserted in its place: the verification would be lost.
      // A new statement sees the new row, so try again while the address is still there.
      for (let attempt = 0; attempt < MARK_VERIFIED_ATTEMPTS; attempt++) {
        const result = await db
          .updateTable('identity_verifiable_addresses')
          .set({ verified: true, verified_at: now, status: 'completed', updated_at: now })
          .where('identity_id', '=', identityId)
          .where('value', '=', value)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) return true;
        const still = await db
          .selectFrom('identity_verifiable_addresses')
          .select('id')
          .where('identity_id', '=', identityId)
          .where('value', '=', value)
          .executeTakeFirst();
        if (still === undefined) return false;
      }
      return false;
    },

    async markSent(executor, identityId, value, now) {
      await executor
        .updateTable('identity_verifiable_addresses')
        .set({ status: 'sent', updated_at: now })
        .where('identity_id', '=', identityId)
        .where('value', '=', value)
        .where('status', '=', 'pending')
        .execute();
    },
  };
}
