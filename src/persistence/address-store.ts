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
      const result = await db
        .updateTable('identity_verifiable_addresses')
        .set({ verified: true, verified_at: now, status: 'completed', updated_at: now })
        .where('identity_id', '=', identityId)
        .where('value', '=', value)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
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
