/**
 * A blocking web hook whose target keeps failing: after Kratos's three attempts (a 5xx each time,
 * or no connection) the flow answers as Kratos's does, a 500 carrying its HTTP client's "giving
 * up" error (no id, no reason), and nothing is stored. Real Portcullis, and a real HTTP server as
 * the hook target; the retries wait as Kratos's do (1 s, then 2 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSelfService } from './support/app-self-service.js';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { need, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple';

describe('a web hook target that fails on every attempt', () => {
  let receiver: HttpReceiver | undefined;
  const target = () => need(receiver, 'receiver');
  beforeAll(async () => {
    receiver = await startHttpReceiver();
    receiver.script('/parse', [{ status: 503, body: {} }]);
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  const t = useTestServer(undefined, () => {
    const parsedHook = {
      hook: 'web_hook',
      config: { url: `${target().url}/parse`, method: 'POST', response: { parse: true } },
    };
    return {
      extraConfig: {
        selfservice: appSelfService({ registration: { after: { password: { hooks: [parsedHook] } } } }),
      },
    };
  });

  it('fails the registration with a 500 naming the target by its origin, and stores nothing', async () => {
    const email = 'unlucky@example.test';
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    const refused = await failure<{ error: Record<string, unknown> }>(
      t.frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          password: PASSWORD,
          traits: { email, fullname: 'Una Lucky', phone_number: 5550100, user_type: 'educator' },
        },
      }),
    );
    expect(refused.status).toBe(500);
    expect(refused.body).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        message: `POST ${target().url} giving up after 3 attempt(s)`,
      },
    });
    expect(target().to('/parse')).toHaveLength(3);
    const { data: found } = await t.admin.listIdentities({ credentialsIdentifier: email });
    expect(found).toEqual([]);
  });
});
