import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddressStore, createAddressStore } from './address-store.js';
import type { Database } from './database.js';
import { createIdentityStore, type IdentityStore } from './identity-store.js';
import { testEngines } from './testing/engines.js';
import { identityFixture } from './testing/identity-fixtures.js';

for (const engine of testEngines()) {
  describe(`address store on ${engine.name}`, () => {
    let database: Database & { drop(): Promise<void> };
    let addresses: AddressStore;
    let identities: IdentityStore;
    const now = new Date('2026-11-23T10:00:00Z');

    beforeAll(async () => {
      database = await engine.open();
      addresses = createAddressStore(database.db);
      identities = createIdentityStore(database.db);
    });
    afterAll(() => database.drop());

    it('finds the identity behind a verifiable or recovery address', async () => {
      const identity = identityFixture('finder@example.com');
      await identities.create(identity);
      expect(await addresses.identityIdByVerifiableAddress('finder@example.com')).toBe(identity.id);
      expect(await addresses.identityIdByRecoveryAddress('finder@example.com')).toBe(identity.id);
      expect(await addresses.identityIdByVerifiableAddress('nobody@example.com')).toBeUndefined();
    });

    it('marks an address sent, then verified', async () => {
      const identity = identityFixture('verify-me@example.com');
      await identities.create(identity);
      await addresses.markSent(database.db, identity.id, 'verify-me@example.com', now);
      expect((await identities.get(identity.id))?.verifiable_addresses[0]).toMatchObject({
        status: 'sent',
        verified: false,
      });
      expect(await addresses.markVerified(identity.id, 'verify-me@example.com', now)).toBe(true);
      expect((await identities.get(identity.id))?.verifiable_addresses[0]).toMatchObject({
        status: 'completed',
        verified: true,
        verified_at: now,
      });
      expect(await addresses.markVerified(identity.id, 'other@example.com', now)).toBe(false);
    });
  });
}
