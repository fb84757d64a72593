import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { type CourierServerOptions, useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
import { codeIn, mailTo } from './support/mail.js';
import {
  browserRecoveryCode,
  nativeRecoveryCode,
  type RecoveryFlowJson,
  submitRecoveryCode,
} from './support/recovery-codes.js';
import type { ReceivedMail } from './support/smtp.js';

const ids = (messages: { id: number }[] | undefined) => (messages ?? []).map((m) => m.id);

const serverFor = (use: 'code' | 'link'): CourierServerOptions => ({
  linkMethod: true,
  flows: { recovery: { enabled: true, use } },
});

describe.each(testDatabases())('recovery by code, as Kratos answers it ($name)', (database) => {
  const t = useCourierServer(database, serverFor('code'));

  async function createIdentity(email: string): Promise<string> {
    return (await createPasswordIdentity(t.admin, examTraits(email), PASSWORD)).id;
  }

  /** A native flow with a code sent to `email`. */
  const sentFlow = (email: string) => nativeRecoveryCode(t.frontend, t.smtp, email);

  const submitCode = (flowId: string, body: Record<string, string>) =>
    submitRecoveryCode(t.server.publicUrl, flowId, body);

  const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');

  it('takes an email beside a code as "send another code" (the form\'s resend button), as Kratos', async () => {
    const email = 'resend@example.test';
    await createIdentity(email);
    const flow = await sentFlow(email);
    const before = t.smtp.messages.length;
    const resent = await submitCode(flow.id, { code: otherThan(flow.code), email });
    expect(resent.status).toBe(200);
    const body = (await resent.json()) as RecoveryFlowJson;
    expect([body.state, ids(body.ui.messages)]).toEqual(['sent_email', [1060003]]);
    const fresh = codeIn((await mailTo(t.smtp, email, before)).text);

    const old = await submitCode(flow.id, { code: flow.code });
    if (fresh !== flow.code)
      expect(ids(((await old.json()) as RecoveryFlowJson).ui.messages)).toEqual([4060006]);
    const done = await submitCode(flow.id, { code: fresh });
    expect(done.status).toBe(200);
    expect(((await done.json()) as RecoveryFlowJson).state).toBe('passed_challenge');
  });

  it('after 5 wrong codes, moves the person to a new flow saying "submitted too often", as Kratos', async () => {
    const email = 'guesser@example.test';
    await createIdentity(email);
    const flow = await sentFlow(email);
    for (let i = 0; i < 5; i++) {
      const wrong = await submitCode(flow.id, { code: otherThan(flow.code) });
      expect([wrong.status, ids(((await wrong.json()) as RecoveryFlowJson).ui.messages)]).toEqual([
        200,
        [4060006],
      ]);
    }
    // The sixth is refused whatever it is, the right code too.
    const stopped = await submitCode(flow.id, { code: flow.code });
    expect(stopped.status).toBe(303);
    const location = new URL(String(stopped.headers.get('location')));
    expect(`${location.origin}${location.pathname}`).toBe(
      `${t.server.publicUrl}/self-service/recovery/flows`,
    );
    const next = (await (await fetch(location)).json()) as RecoveryFlowJson;
    expect(next.id).not.toBe(flow.id);
    expect(next.state).toBe('choose_method');
    expect(next.ui.messages).toMatchObject([
      {
        id: 4000001,
        text: 'The request was submitted too often. Please request another code.',
        type: 'error',
      },
    ]);
    // @ory/client follows the redirect to the new flow.
    const { data: followed } = await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code: flow.code },
    });
    expect(followed.id).not.toBe(flow.id);
    expect(ids(followed.ui.messages)).toEqual([4000001]);
  });

  it('sends an HTML form past its tries to the recovery UI with a new flow', async () => {
    const email = 'guesser-browser@example.test';
    await createIdentity(email);
    const { browser, flow, code } = await browserRecoveryCode(t.server.publicUrl, t.smtp, email);
    const post = (value: string) =>
      browser.postForm(`/self-service/recovery?flow=${flow.id}`, {
        method: 'code',
        code: value,
        csrf_token: csrfTokenOf(flow),
      });
    for (let i = 0; i < 5; i++)
      expect(String((await post(otherThan(code))).headers.get('location'))).toContain(flow.id);
    const stopped = await post(code);
    expect(stopped.status).toBe(303);
    const location = new URL(String(stopped.headers.get('location')));
    expect(location.pathname).toBe('/ui/recovery');
    const nextId = location.searchParams.get('flow') ?? '';
    expect(nextId).not.toBe(flow.id);
    const next = (await (
      await browser.getJson(`/self-service/recovery/flows?id=${nextId}`)
    ).json()) as RecoveryFlowJson;
    expect(ids(next.ui.messages)).toEqual([4000001]);
  });

  it('refuses to mail a code for someone signed in (session_already_available), as Kratos', async () => {
    const email = 'signed-in@example.test';
    await createIdentity(email);
    const { data: login } = await loginWithPassword(t.frontend, email, PASSWORD);
    // The flow was started signed out; the session comes along with the email.
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const refused = await failure<{ error: { id: string } }>(
      t.frontend.updateRecoveryFlow(
        { flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } },
        { headers: { 'X-Session-Token': login.session_token ?? '' } },
      ),
    );
    expect([refused.status, refused.body.error.id]).toEqual([400, 'session_already_available']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(t.smtp.messages.filter((m: ReceivedMail) => m.to.includes(email))).toHaveLength(0);
  });

  it("lets a browser redeem an admin's code from the recovery UI link, with no CSRF cookie of its own", async () => {
    const id = await createIdentity('support-case@example.test');
    const issued = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: id }),
    });
    const body = (await issued.json()) as { recovery_link: string; recovery_code: string };
    expect(body.recovery_link).toMatch(new RegExp(`^${t.server.publicUrl}/ui/recovery\\?flow=`));
    const flowId = new URL(body.recovery_link).searchParams.get('flow') ?? '';
    // Support pastes the link into a chat; the person opens it in the browser they have.
    const browser = new BrowserClient(t.server.publicUrl);
    const page = await browser.request(body.recovery_link, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const done = await new BrowserClient(t.server.publicUrl).postForm(
      `/self-service/recovery?flow=${flowId}`,
      {
        method: 'code',
        code: body.recovery_code,
        csrf_token: '',
      },
    );
    expect(done.status).toBe(303);
    expect(String(done.headers.get('location'))).toMatch(/\/ui\/settings\?flow=/);
  });
});

describe.each(testDatabases())('recovery by link, as Kratos answers it ($name)', (database) => {
  const t = useCourierServer(database, serverFor('link'));

  it('signs in a browser, never hands out a session token, for a link token posted to a native flow (link: no API)', async () => {
    const email = 'native-link-post@example.test';
    await t.admin.createIdentity({ createIdentityBody: { schema_id: 'exam', traits: examTraits(email) } });
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'link', email } });
    const mail = await mailTo(t.smtp, email);
    const link = mail.text
      .split(/\s+/)
      .find((word) => word.startsWith(`${t.server.publicUrl}/self-service/recovery?`));
    const token = new URL(String(link)).searchParams.get('token') ?? '';
    const redeemed = await fetch(
      `${t.server.publicUrl}/self-service/recovery?flow=${flow.id}&token=${token}`,
      {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'link' }),
      },
    );
    const text = await redeemed.text();
    expect(text).not.toContain('ory_st_');
    expect(redeemed.status).toBe(422);
    expect((JSON.parse(text) as { redirect_browser_to: string }).redirect_browser_to).toMatch(
      /\/ui\/settings\?flow=/,
    );
    const cookie = t.server.registry.sessionConfig.cookie.name;
    expect(redeemed.headers.getSetCookie().some((c) => c.startsWith(`${cookie}=`))).toBe(true);
  });
});
