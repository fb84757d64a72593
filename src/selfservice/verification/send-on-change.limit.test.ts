import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import { createReturnToValidator } from '../../kernel/return-to.js';
import { identityFixture } from '../../persistence/testing/identity-fixtures.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import type { VerificationDeps } from './deps.js';
import { createVerificationSender } from './send-on-change.js';

const PUBLIC = new URL('https://auth.example.test/');

/**
 * The sender's deps with a mail limiter that fails (its store unreachable): only what a send
 * touches before a message would be issued is real; issuing anything fails the test.
 */
function depsWithFailingLimiter(created: SelfServiceFlow[]): VerificationDeps {
  const config = selfServiceConfig(
    {
      selfservice: {
        default_browser_return_url: 'https://app.example.test/',
        flows: { verification: { enabled: true, use: 'code' } },
      },
    } as KratosConfigDocument,
    PUBLIC,
  );
  const unexpected = (what: string) => () => {
    throw new Error(`${what} must not be used when the mail limit could not be checked`);
  };
  const deps = {
    config,
    publicBase: PUBLIC,
    returnTo: createReturnToValidator({
      allowedReturnUrls: [],
      defaultReturnUrl: 'https://app.example.test/',
      publicBaseUrl: PUBLIC.toString(),
    }),
    flows: {
      create: async (flow: SelfServiceFlow) => {
        created.push(flow);
      },
    },
    mailLimit: async () => {
      throw new Error('Stream isn’t writeable and enableOfflineQueue options is false');
    },
    codes: {
      invalidateFlow: unexpected('codes'),
      resetSubmissions: unexpected('codes'),
      issue: unexpected('codes'),
    },
    identityJson: unexpected('identityJson'),
    courier: { queueMessage: unexpected('courier') },
    now: () => new Date('2030-01-01T00:00:00Z'),
  };
  return deps as unknown as VerificationDeps;
}

describe('sendForAddresses when the mail limit cannot be checked', () => {
  it('sends nothing, logs it, and does not fail the registration or settings request', async () => {
    const created: SelfServiceFlow[] = [];
    const warnings: { obj: object; msg: string }[] = [];
    const sender = createVerificationSender(depsWithFailingLimiter(created), {
      warn: (obj, msg) => warnings.push({ obj, msg }),
    });
    const identity = identityFixture('ada@example.com');

    const sent = await sender.sendForAddresses(identity, ['ada@example.com'], {
      type: 'api',
      requestUrl: 'https://auth.example.test/self-service/registration/api',
    });

    // The flow exists (the person can ask for a code from it), but no message was issued.
    expect(sent).toEqual([{ flowId: created[0]?.id, address: 'ada@example.com' }]);
    expect(warnings).toEqual([
      {
        obj: { identity_id: identity.id, err: 'Error' },
        msg: 'verification mail limit unavailable; the verification message was not sent',
      },
    ]);
  });
});
