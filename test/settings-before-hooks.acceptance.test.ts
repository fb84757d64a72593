import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple';
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

describe('settings.before web hooks', () => {
  let receiver: HttpReceiver;
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            settings: {
              before: {
                hooks: [
                  {
                    hook: 'web_hook',
                    config: {
                      url: `${receiver.url}/before`,
                      method: 'POST',
                      body: base64('function(ctx) {}'),
                    },
                  },
                ],
              },
            },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('run when a browser flow starts, as when an api flow does (Kratos runs them for every new flow)', async () => {
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const email = 'before-hooks@example.test';
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: { email, fullname: 'Ada', phone_number: 5550100, user_type: 'educator' },
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    const { data: flow } = await frontend.createNativeLoginFlow();
    const { data: login } = await frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
    const token = login.session_token ?? '';

    // The hook target refuses (a 4xx, which is not retried as a 5xx is): neither kind of flow starts.
    receiver.script('/before', [{ status: 403 }]);
    const api = await failure(frontend.createNativeSettingsFlow({ xSessionToken: token }));
    const browser = await fetch(`${server.publicUrl}/self-service/settings/browser`, {
      headers: { accept: 'application/json', 'x-session-token': token },
    });
    expect([api.status, browser.status]).toEqual([502, 502]);
    expect(receiver.to('/before')).toHaveLength(2);

    // It answers: both start.
    receiver.script('/before', [{ status: 200 }]);
    const started = await fetch(`${server.publicUrl}/self-service/settings/browser`, {
      headers: { accept: 'application/json', 'x-session-token': token },
    });
    expect(started.status).toBe(200);
    expect(receiver.to('/before')).toHaveLength(3);
  });
});
