import { describe, expect, it } from 'vitest';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
import { codeIn, mailTo } from './support/mail.js';

describe.each(testDatabases())('after recovery ($name)', (database) => {
  const t = useCourierServer(database, {
    // A smaller allowance than the default 5, to see the setting read.
    extraConfig: { security: { mail_limit: { per_address: 2, window: '10m' } } },
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
  });

  it('revoke_active_sessions signs out every other session, as Kratos, and keeps the new one', async () => {
    const email = 'taken-over@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    // Someone else is signed in to the account (with the password they took).
    const { data: intruder } = await loginWithPassword(t.frontend, email, PASSWORD);
    const intruderToken = intruder.session_token ?? '';
    expect((await t.frontend.toSession({ xSessionToken: intruderToken })).status).toBe(200);

    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    const code = codeIn((await mailTo(t.smtp, email)).text);
    // A wrong code answers the flow with 4060006 as 200, as Kratos's recoveryUseCode does.
    const wrong = await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code: code === '000000' ? '111111' : '000000' },
    });
    expect([wrong.status, wrong.data.state, wrong.data.ui.messages?.map((m) => m.id)]).toEqual([
      200,
      'sent_email',
      [4060006],
    ]);
    const { data: done } = await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code },
    });
    const owner = done.continue_with?.find((c) => c.action === 'set_ory_session_token') as {
      ory_session_token: string;
    };

    expect((await failure(t.frontend.toSession({ xSessionToken: intruderToken }))).status).toBe(401);
    const { data: mine } = await t.frontend.toSession({ xSessionToken: owner.ory_session_token });
    expect(mine.identity?.traits.email).toBe(email);

    // The settings flow it continues into says how long the session may change the password
    // (1060001), and leads on to recovery.after.default_browser_return_url, as Kratos's.
    const next = done.continue_with?.find((c) => c.action === 'show_settings_ui') as { flow: { id: string } };
    const { data: settings } = await t.frontend.getSettingsFlow({
      id: next.flow.id,
      xSessionToken: owner.ory_session_token,
    });
    expect(settings.ui.messages?.map((m) => m.id)).toEqual([1060001]);
    expect(settings.return_to).toBe('http://app.example.test/recovered');
  });

  it('sends as many messages per address as security.mail_limit allows, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { data: flow } = await t.frontend.createNativeRecoveryFlow();
      const sent = await t.frontend
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
