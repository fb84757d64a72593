/**
 * A flow's secret is bound to its method: a 6-digit code redeemed as a link token (which is not
 * counted against the flow's tries) must match nothing, or a code could be guessed without
 * limit through the link path. The method is in the secret's keyed hash (secrets.ts); these
 * tests fail should a refactor drop it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import { createAddressStore } from '../../persistence/address-store.js';
import { createCodeStore } from '../../persistence/code-store.js';
import type { Database } from '../../persistence/database.js';
import { createIdentityStore } from '../../persistence/identity-store.js';
import { testEngines } from '../../persistence/testing/engines.js';
import { identityFixture } from '../../persistence/testing/identity-fixtures.js';
import { issueSecret } from './deliver.js';
import type { OneTimeDeps } from './deps.js';
import { redeemOneTimeSecret } from './redeem.js';

const PUBLIC = new URL('https://auth.example.test/');
const NOW = new Date('2030-01-01T00:00:00Z');

/** Real stores for what issuing (without a message) and redeeming touch; the rest must stay unused. */
function oneTimeDeps(database: Database): OneTimeDeps {
  const unused = (what: string) => () => {
    throw new Error(`${what} is not used when no message is queued`);
  };
  return {
    db: database.db,
    codes: createCodeStore(database.db),
    addresses: createAddressStore(database.db),
    identities: createIdentityStore(database.db),
    sessions: { identityChanged: unused('sessions') },
    courier: { queueMessage: unused('courier') },
    secretKeys: ['a-test-secret-that-is-long-enough'],
    mailLimit: unused('mailLimit'),
    identityJson: unused('identityJson'),
    config: selfServiceConfig(
      { selfservice: { default_browser_return_url: 'https://app.example.test/' } } as KratosConfigDocument,
      PUBLIC,
    ),
    publicBase: PUBLIC,
    responseFloorMs: 0,
    now: () => NOW,
  };
}

for (const engine of testEngines()) {
  describe(`redeemOneTimeSecret binds a secret to its method (${engine.name})`, () => {
    let database: Database & { drop(): Promise<void> };
    let deps: OneTimeDeps;
    let identityId: string;

    beforeAll(async () => {
      database = await engine.open();
      deps = oneTimeDeps(database);
      const identity = identityFixture(`binding-${randomUUID()}@example.test`);
      await deps.identities.create(identity);
      identityId = identity.id;
    });
    afterAll(() => database.drop());

    /** A secret issued to a new flow of `kind` with `method`, as a send step stores it. */
    async function issued(kind: 'verification' | 'recovery', method: 'code' | 'link') {
      const flowId = randomUUID();
      const secret = await issueSecret(
        deps,
        {
          kind,
          method,
          flowId,
          identityId,
          address: 'ada@example.test',
          expiresAt: new Date(NOW.getTime() + 3_600_000),
        },
        { queue: false },
      );
      return { flowId, secret };
    }

    for (const kind of ['verification', 'recovery'] as const) {
      it(`refuses a ${kind} flow's code redeemed as a link token, and the code still works`, async () => {
        const { flowId, secret } = await issued(kind, 'code');
        // More link attempts than the flow's tries: none counts, none matches.
        for (let i = 0; i <= deps.config.code.maxSubmissions; i++) {
          expect(await redeemOneTimeSecret(deps, { kind, method: 'link', flowId }, secret)).toEqual({
            ok: false,
            reason: 'invalid',
          });
        }
        expect(await redeemOneTimeSecret(deps, { kind, method: 'code', flowId }, secret)).toEqual({
          ok: true,
          identityId,
          address: 'ada@example.test',
        });
      });

      it(`refuses a ${kind} flow's link token redeemed as a code, and the link still works`, async () => {
        const { flowId, secret } = await issued(kind, 'link');
        expect(await redeemOneTimeSecret(deps, { kind, method: 'code', flowId }, secret)).toEqual({
          ok: false,
          reason: 'invalid',
        });
        expect(await redeemOneTimeSecret(deps, { kind, method: 'link', flowId }, secret)).toEqual({
          ok: true,
          identityId,
          address: 'ada@example.test',
        });
      });
    }
  });
}
