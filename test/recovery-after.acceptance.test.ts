import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { codeIn, mailTo } from './support/mail.js';
import { startTestServer, type TestServer } from './support/server.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';

const PASSWORD = 'correct horse battery staple';
const traits = (email: string) => ({ email, fullname: 'Ada', phone_number: 5550100, user_type: 'educator' });

describe.each(testDatabases())('after recovery ($name)', (database) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let frontend: FrontendApi;
  let admin: IdentityApi;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({
      dsn: db.dsn,
      watchCourier: true,
      extraConfig: {
        courier: {
          worker: { pull_wait: '50ms' },
          smtp: { connection_uri: `smtp://127.0.0.1:${smtp.port}/?disable_starttls=true` },
        },
        // A smaller allowance than the default 5, to see the setting read.
        security: { mail_limit: { per_address: 2, window: '10m' } },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            recovery: {
              enabled: true,
              use: 'code',
              after: {
                default_browser_return_url: 'http://app.example.test/recovered',
                hooks: [{ hook: 'revoke_active_sessions' }],
              },
            },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await drop?.();
  });

  it('revoke_active_sessions signs out every other session, as Kratos, and keeps the new one', async () => {
    const email = 'taken-over@example.test';
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: traits(email),
        credentials: { password: { config: { password: PASSWORD } } },
      },
    });
    // Someone else is signed in to the account (with the password they took).
    const { data: loginFlow } = await frontend.createNativeLoginFlow();
    const { data: intruder } = await frontend.updateLoginFlow({
      flow: loginFlow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
    const intruderToken = intruder.session_token ?? '';
    expect((await frontend.toSession({ xSessionToken: intruderToken })).status).toBe(200);

    const { data: flow } = await frontend.createNativeRecoveryFlow();
    await frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    const code = codeIn((await mailTo(smtp, email)).text);
    // A wrong code answers the flow with 4060006 as 200, as Kratos's recoveryUseCode does.
    const wrong = await frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code: code === '000000' ? '111111' : '000000' },
    });
    expect([wrong.status, wrong.data.state, wrong.data.ui.messages?.map((m) => m.id)]).toEqual([
      200,
      'sent_email',
      [4060006],
    ]);
    const { data: done } = await frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code },
    });
    const owner = done.continue_with?.find((c) => c.action === 'set_ory_session_token') as {
      ory_session_token: string;
    };

    expect((await failure(frontend.toSession({ xSessionToken: intruderToken }))).status).toBe(401);
    const { data: mine } = await frontend.toSession({ xSessionToken: owner.ory_session_token });
    expect(mine.identity?.traits.email).toBe(email);

    // The settings flow it continues into says how long the session may change the password
    // (1060001), and leads on to recovery.after.default_browser_return_url, as Kratos's.
    const next = done.continue_with?.find((c) => c.action === 'show_settings_ui') as { flow: { id: string } };
    const { data: settings } = await frontend.getSettingsFlow({
      id: next.flow.id,
      xSessionToken: owner.ory_session_token,
    });
    expect(settings.ui.messages?.map((m) => m.id)).toEqual([1060001]);
    expect(settings.return_to).toBe('http://app.example.test/recovered');
  });

  it('sends as many messages per address as security.mail_limit allows, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { data: flow } = await frontend.createNativeRecoveryFlow();
      const sent = await frontend
        .updateRecoveryFlow({
          flow: flow.id,
          updateRecoveryFlowBody: { method: 'code', email: 'limited@example.test' },
        })
        .then(
          (r) => r.status,
          (error: { response?: { status: number } }) => error.response?.status ?? 0,
        );
      statuses.push(sent);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
