import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeStore, createCodeStore } from './code-store.js';
import type { Database } from './database.js';
import { createIdentityStore } from './identity-store.js';
import { testEngines } from './testing/engines.js';
import { identityFixture } from './testing/identity-fixtures.js';

for (const engine of testEngines()) {
  describe(`code store on ${engine.name}`, () => {
    let database: Database & { drop(): Promise<void> };
    let codes: CodeStore;
    let identityId: string;
    const now = new Date('2026-11-23T10:00:00Z');
    const later = new Date('2026-11-23T11:00:00Z');

    beforeAll(async () => {
      database = await engine.open();
      codes = createCodeStore(database.db);
      const identity = identityFixture('codes@example.com');
      await createIdentityStore(database.db).create(identity);
      identityId = identity.id;
    });
    afterAll(() => database.drop());

    function issue(flowId: string, hash: string, expiresAt = later) {
      return codes.issue(
        database.db,
        {
          flowKind: 'verification',
          method: 'code',
          flowId,
          identityId,
          address: 'a@example.com',
          codeHash: hash,
          expiresAt,
        },
        now,
      );
    }

    it('consumes a code once, and only in its own flow and kind', async () => {
      const flowId = randomUUID();
      await issue(flowId, 'h1');
      expect(await codes.consume('verification', randomUUID(), ['h1'], now)).toBeUndefined();
      expect(await codes.consume('recovery', flowId, ['h1'], now)).toBeUndefined();
      const used = await codes.consume('verification', flowId, ['other', 'h1'], now);
      expect(used).toMatchObject({ flowId, identityId, address: 'a@example.com', method: 'code' });
      expect(await codes.consume('verification', flowId, ['h1'], now)).toBeUndefined();
    });

    it('gives one code to exactly one of 20 parallel submissions', async () => {
      const flowId = randomUUID();
      await issue(flowId, 'race');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => codes.consume('verification', flowId, ['race'], now)),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('refuses an expired code and the codes of an invalidated flow', async () => {
      const flowId = randomUUID();
      await issue(flowId, 'old', new Date(now.getTime() - 1));
      expect(await codes.consume('verification', flowId, ['old'], now)).toBeUndefined();
      await issue(flowId, 'fresh');
      await codes.invalidateFlow(flowId, now);
      expect(await codes.consume('verification', flowId, ['fresh'], now)).toBeUndefined();
    });

    it('finds the code consume would use, without using it', async () => {
      const flowId = randomUUID();
      await issue(flowId, 'ready');
      await issue(flowId, 'gone', new Date(now.getTime() - 1));
      expect(await codes.findRedeemable('verification', flowId, ['gone'], now)).toBeUndefined();
      expect(await codes.findRedeemable('verification', flowId, ['nope'], now)).toBeUndefined();
      expect(await codes.findRedeemable('recovery', flowId, ['ready'], now)).toBeUndefined();
      expect(await codes.findRedeemable('verification', flowId, ['other', 'ready'], now)).toMatchObject({
        flowId,
      });
      // Still there to consume, once; then no longer redeemable.
      expect(await codes.consume('verification', flowId, ['ready'], now)).toMatchObject({ flowId });
      expect(await codes.findRedeemable('verification', flowId, ['ready'], now)).toBeUndefined();
    });

    it('tells an expired code from an unknown, used or fresh one; useUp spends it', async () => {
      const flowId = randomUUID();
      const expiresAt = new Date(now.getTime() - 1);
      await issue(flowId, 'stale', expiresAt);
      await issue(flowId, 'live');
      const keep = { useUp: false };
      expect(await codes.findExpired('verification', flowId, ['live'], now, keep)).toBeUndefined();
      expect(await codes.findExpired('verification', flowId, ['nope'], now, keep)).toBeUndefined();
      expect(await codes.findExpired('recovery', flowId, ['stale'], now, keep)).toBeUndefined();
      expect(await codes.findExpired('verification', flowId, ['other', 'stale'], now, keep)).toMatchObject({
        flowId,
        expiresAt,
      });
      // Looked at without useUp, it is still there; used up, it is gone.
      expect(await codes.findExpired('verification', flowId, ['stale'], now, { useUp: true })).toMatchObject({
        flowId,
      });
      expect(await codes.findExpired('verification', flowId, ['stale'], now, keep)).toBeUndefined();
      // An invalidated (replaced) code is not "expired": it is unknown, as Kratos deletes it.
      const other = randomUUID();
      await issue(other, 'replaced', expiresAt);
      await codes.invalidateFlow(other, now);
      expect(await codes.findExpired('verification', other, ['replaced'], now, keep)).toBeUndefined();
    });

    it('counts submissions atomically and starts again after a reset', async () => {
      const flowId = randomUUID();
      const counts = await Promise.all(Array.from({ length: 10 }, () => codes.countSubmission(flowId, now)));
      expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await codes.resetSubmissions(flowId);
      expect(await codes.countSubmission(flowId, now)).toBe(1);
    });
  });
}
