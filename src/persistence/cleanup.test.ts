import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEANUP_TABLES, cleanupDatabase } from './cleanup.js';
import type { Database } from './database.js';
import { createIdentityStore } from './identity-store.js';
import { testEngines } from './testing/engines.js';
import { flowRowFixture } from './testing/flow-fixtures.js';
import { identityFixture } from './testing/identity-fixtures.js';

const HOUR = 3_600_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const ago = (hours: number): Date => new Date(now.getTime() - hours * HOUR);

for (const engine of testEngines()) {
  describe(`cleanupDatabase on ${engine.name}`, () => {
    let database: Database & { drop(): Promise<void> };
    let identityId: string;

    beforeEach(async () => {
      database = await engine.open();
      const identity = identityFixture(`cleanup-${randomUUID()}@example.com`);
      await createIdentityStore(database.db).create(identity);
      identityId = identity.id;
    });
    afterEach(async () => {
      await database.drop();
    });

    async function addSession(expiresAt: Date): Promise<string> {
      const id = randomUUID();
      await database.db
        .insertInto('sessions')
        .values({
          id,
          identity_id: identityId,
          token_hash: randomUUID(),
          logout_token_hash: randomUUID(),
          active: true,
          aal: 'aal1',
          authentication_methods: '[]',
          devices: '[]',
          issued_at: ago(48),
          authenticated_at: ago(48),
          expires_at: expiresAt,
          created_at: ago(48),
          updated_at: ago(48),
        })
        .execute();
      return id;
    }

    async function addFlow(expiresAt: Date): Promise<string> {
      const id = randomUUID();
      await database.db
        .insertInto('selfservice_flows')
        .values(
          flowRowFixture({
            id,
            issued_at: ago(48),
            expires_at: expiresAt,
            created_at: ago(48),
            updated_at: ago(48),
          }),
        )
        .execute();
      return id;
    }

    async function addAttempts(flowId: string, updatedAt: Date): Promise<void> {
      await database.db
        .insertInto('selfservice_flow_attempts')
        .values({ flow_id: flowId, count: 3, updated_at: updatedAt })
        .execute();
    }

    async function addCode(flowId: string, expiresAt: Date): Promise<string> {
      const id = randomUUID();
      await database.db
        .insertInto('selfservice_codes')
        .values({
          id,
          flow_kind: 'recovery',
          method: 'code',
          flow_id: flowId,
          identity_id: identityId,
          address: 'a@example.com',
          code_hash: randomUUID(),
          used_at: null,
          expires_at: expiresAt,
          created_at: ago(48),
        })
        .execute();
      return id;
    }

    async function addDelivery(status: string, updatedAt: Date): Promise<string> {
      const id = randomUUID();
      await database.db
        .insertInto('webhook_deliveries')
        .values({
          id,
          url: 'http://127.0.0.1/hook',
          method: 'POST',
          headers: '{}',
          body: null,
          hook_name: 'web_hook',
          status,
          attempts: 1,
          next_attempt_at: updatedAt,
          lease_owner: null,
          lease_expires_at: null,
          last_error: null,
          created_at: ago(48),
          updated_at: updatedAt,
        })
        .execute();
      return id;
    }

    async function addError(createdAt: Date): Promise<string> {
      const id = randomUUID();
      await database.db
        .insertInto('selfservice_errors')
        .values({
          id,
          errors: '{"code":403,"status":"Forbidden","message":"m"}',
          csrf_token: 'b'.repeat(43),
          seen_at: null,
          was_seen: false,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .execute();
      return id;
    }

    async function addOidcState(expiresAt: Date): Promise<string> {
      const stateHash = randomUUID().replaceAll('-', '');
      await database.db
        .insertInto('selfservice_oidc_states')
        .values({
          state_hash: stateHash,
          flow_id: randomUUID(),
          flow_kind: 'login',
          provider: 'google',
          browser_hash: 'c'.repeat(43),
          pkce_verifier: null,
          nonce: null,
          expires_at: expiresAt,
          created_at: ago(48),
        })
        .execute();
      return stateHash;
    }

    const ids = async (
      table:
        | 'sessions'
        | 'selfservice_flows'
        | 'selfservice_codes'
        | 'selfservice_errors'
        | 'webhook_deliveries',
    ) => (await database.db.selectFrom(table).select('id').execute()).map((r) => r.id).sort();

    it('removes what expired before the cutoff and keeps everything else', async () => {
      const liveSession = await addSession(ago(-1));
      const recentSession = await addSession(ago(1));
      await addSession(ago(30));
      const liveFlow = await addFlow(ago(-1));
      const oldFlow = await addFlow(ago(30));
      await addAttempts(liveFlow, ago(30));
      await addAttempts(oldFlow, ago(30));
      const liveCode = await addCode(liveFlow, ago(-1));
      await addCode(oldFlow, ago(30));
      const queued = await addDelivery('queued', ago(30));
      const recentDelivered = await addDelivery('delivered', ago(1));
      await addDelivery('delivered', ago(30));
      await addDelivery('abandoned', ago(30));
      const recentError = await addError(ago(1));
      await addError(ago(30));
      const liveState = await addOidcState(ago(-1));
      await addOidcState(ago(30));

      const seen: string[] = [];
      const report = await cleanupDatabase(database.db, {
        cutoff: ago(6),
        batchSize: 100,
        pauseBetweenTablesMs: 0,
        onTable: (table) => seen.push(table),
      });

      expect(report).toEqual({
        sessions: 1,
        selfservice_flows: 1,
        selfservice_codes: 1,
        selfservice_flow_attempts: 1,
        selfservice_errors: 1,
        selfservice_oidc_states: 1,
        webhook_deliveries: 2,
      });
      expect(seen).toEqual([...CLEANUP_TABLES]);
      expect(await ids('sessions')).toEqual([liveSession, recentSession].sort());
      expect(await ids('selfservice_flows')).toEqual([liveFlow]);
      expect(await ids('selfservice_codes')).toEqual([liveCode]);
      expect(await ids('webhook_deliveries')).toEqual([queued, recentDelivered].sort());
      expect(await ids('selfservice_errors')).toEqual([recentError]);
      const states = await database.db.selectFrom('selfservice_oidc_states').select('state_hash').execute();
      expect(states.map((s) => s.state_hash)).toEqual([liveState]);
      const attempts = await database.db.selectFrom('selfservice_flow_attempts').select('flow_id').execute();
      expect(attempts.map((a) => a.flow_id)).toEqual([liveFlow]);
      // The identity itself is never touched.
      expect(await database.db.selectFrom('identities').select('id').execute()).toHaveLength(1);
    });

    it('works through a backlog larger than one batch', async () => {
      for (let i = 0; i < 7; i++) await addSession(ago(30));
      const keep = await addSession(ago(-1));
      const report = await cleanupDatabase(database.db, {
        cutoff: now,
        batchSize: 3,
        pauseBetweenTablesMs: 0,
      });
      expect(report.sessions).toBe(7);
      expect(await ids('sessions')).toEqual([keep]);
    });

    it('stops between batches when aborted, keeping what it removed', async () => {
      for (let i = 0; i < 4; i++) await addSession(ago(30));
      const controller = new AbortController();
      controller.abort();
      const report = await cleanupDatabase(database.db, {
        cutoff: now,
        batchSize: 2,
        pauseBetweenTablesMs: 0,
        signal: controller.signal,
      });
      expect(report.sessions).toBe(0);
      expect(await ids('sessions')).toHaveLength(4);
    });

    it('refuses a batch size that is not a positive integer', async () => {
      await expect(
        cleanupDatabase(database.db, { cutoff: now, batchSize: 0, pauseBetweenTablesMs: 0 }),
      ).rejects.toThrow(RangeError);
    });
  });
}
