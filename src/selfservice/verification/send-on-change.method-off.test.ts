import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import { identityFixture } from '../../persistence/testing/identity-fixtures.js';
import type { VerificationDeps } from './deps.js';
import { createVerificationSender } from './send-on-change.js';

const PUBLIC = new URL('https://auth.example.test/');

/** `use: link` with the link method left off (its default); starting anything fails the test. */
function depsWithMethodOff(): VerificationDeps {
  const config = selfServiceConfig(
    {
      selfservice: {
        default_browser_return_url: 'https://app.example.test/',
        flows: { verification: { enabled: true, use: 'link' } },
      },
    } as KratosConfigDocument,
    PUBLIC,
  );
  const unexpected = (what: string) => () => {
    throw new Error(`${what} must not be used while the verification method is off`);
  };
  return {
    config,
    publicBase: PUBLIC,
    flows: { create: unexpected('flows') },
    mailLimit: unexpected('mailLimit'),
    codes: { issue: unexpected('codes') },
    courier: { queueMessage: unexpected('courier') },
    now: () => new Date('2030-01-01T00:00:00Z'),
  } as unknown as VerificationDeps;
}

describe('the Verifier with its `use` method switched off', () => {
  it('starts no flow, mails nothing, and tells the operator', async () => {
    const warnings: { obj: object; msg: string }[] = [];
    const sender = createVerificationSender(depsWithMethodOff(), {
      warn: (obj, msg) => warnings.push({ obj, msg }),
    });
    const identity = identityFixture('ada@example.com');
    const context = {
      type: 'browser' as const,
      requestUrl: 'https://auth.example.test/self-service/registration/browser',
    };

    expect(await sender.sendForAddresses(identity, ['ada@example.com'], context)).toEqual([]);
    expect(await sender.start(identity, ['ada@example.com'], context, { each: true })).toEqual([]);
    expect(warnings).toEqual([
      {
        obj: { identity_id: identity.id, method: 'link' },
        msg: 'the verification method (selfservice.flows.verification.use) is not enabled; no verification message was sent',
      },
      expect.anything(),
    ]);
    // No address to verify, nothing to say.
    expect(await sender.start(identity, [], context, { each: true })).toEqual([]);
    expect(warnings).toHaveLength(2);
  });
});
