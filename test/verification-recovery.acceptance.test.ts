import type { IdentityApi, RegistrationFlow, UiNode } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { codeIn, mailTo } from './support/mail.js';
import type { ReceivedMail } from './support/smtp.js';

const PASSWORD = 'correct horse battery staple';
const traits = (email: string) => ({
  email,
  fullname: 'Grace Hopper',
  phone_number: 5550100,
  user_type: 'educator',
});
const ids = (messages: { id: number }[] | undefined) => (messages ?? []).map((m) => m.id);
const nodeNames = (nodes: UiNode[]) => nodes.map((n) => (n.attributes as { name?: string }).name);

/** An identity with a password, created through the admin API as an operator would. */
async function createIdentity(admin: IdentityApi, email: string) {
  const { data } = await admin.createIdentity({
    createIdentityBody: {
      schema_id: 'exam',
      traits: traits(email),
      credentials: { password: { config: { password: PASSWORD } } },
    },
  });
  return data;
}

type VerificationFlowJson = {
  id: string;
  state: string;
  return_to?: string;
  request_url: string;
  ui: { messages?: { id: number }[]; nodes: UiNode[] };
};

/** The value of a flow's input node `name`. */
function inputValue(flow: { ui: { nodes: UiNode[] } }, name: string): unknown {
  return flow.ui.nodes
    .map((n) => n.attributes as { name?: string; value?: unknown })
    .find((a) => a.name === name)?.value;
}

/** The href of a flow's "Continue" link. */
function continueHref(flow: { ui: { nodes: UiNode[] } }): unknown {
  return flow.ui.nodes
    .map((n) => n.attributes as { id?: string; href?: string })
    .find((a) => a.id === 'continue')?.href;
}

/** The verification link of a message (`.../self-service/verification?flow=...&code=...`). */
function verificationLinkIn(mail: ReceivedMail): string {
  const link = mail.text.split(/\s+/).find((word) => word.includes('/self-service/verification?flow='));
  if (!link) throw new Error(`no verification link in: ${mail.text}`);
  return link;
}

/** What the suites' servers share: Redis, a From address, the app's return URLs and the link method. */
const SERVER = {
  redis: true,
  fromAddress: 'no-reply@portcullis.test',
  allowedReturnUrls: ['http://app.example.test/'],
  linkMethod: true,
};

describe.each(testDatabases())('verification, recovery and the courier over SMTP ($name)', (database) => {
  const t = useCourierServer(database, {
    ...SERVER,
    flows: {
      registration: {
        style: 'unified',
        after: { password: { hooks: [{ hook: 'show_verification_ui' }] } },
      },
      login: { after: { password: { hooks: [{ hook: 'require_verified_address' }] } } },
      verification: { enabled: true, use: 'code' },
      recovery: { enabled: true, use: 'code' },
    },
  });

  async function login(email: string, password = PASSWORD) {
    const { data: flow } = await t.frontend.createNativeLoginFlow();
    return t.frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password },
    });
  }

  it('registration mails a code; login is refused until the code verifies the address', async () => {
    const email = 'ada@example.test';
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    const { data: registered } = await t.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', traits: traits(email), password: PASSWORD },
    });
    const show = registered.continue_with?.find((c) => c.action === 'show_verification_ui') as
      | { flow: { id: string; verifiable_address: string } }
      | undefined;
    expect(show?.flow.verifiable_address).toBe(email);
    // As Kratos: no UI URL for a native app, which shows its own code screen.
    expect(show?.flow).not.toHaveProperty('url');

    const mail = await mailTo(t.smtp, email);
    expect(mail.from).toContain('no-reply@portcullis.test');
    const code = codeIn(mail.text);

    // As Kratos master's require_verified_address: 403, and a new verification flow (with a code
    // of its own) to continue with.
    const refused = await failure<{ error: { id: string } }>(login(email));
    expect(refused.status).toBe(403);
    expect(refused.body.error.id).toBe('session_verified_address_required');

    const verificationFlowId = show?.flow.id ?? '';
    // A wrong code answers the flow with 4070006 as 200, as Kratos's code strategy does.
    const wrong = await t.frontend.updateVerificationFlow({
      flow: verificationFlowId,
      updateVerificationFlowBody: { method: 'code', code: code === '000000' ? '111111' : '000000' },
    });
    expect([wrong.status, wrong.data.state, ids(wrong.data.ui.messages)]).toEqual([
      200,
      'sent_email',
      [4070006],
    ]);

    const { data: verified } = await t.frontend.updateVerificationFlow({
      flow: verificationFlowId,
      updateVerificationFlowBody: { method: 'code', code },
    });
    expect(verified.state).toBe('passed_challenge');
    expect(ids(verified.ui.messages)).toEqual([1080002]);

    const { data: session } = await login(email);
    expect(session.session.identity?.verifiable_addresses?.[0]).toMatchObject({
      verified: true,
      status: 'completed',
    });

    // The code is spent: replayed in the passed flow, it gets a new flow saying the request was
    // done already (4070002), as Kratos's code strategy: 410 naming it for JSON.
    const replay = await failure<{ error: { id: string }; use_flow_id: string }>(
      t.frontend.updateVerificationFlow({
        flow: verificationFlowId,
        updateVerificationFlowBody: { method: 'code', code },
      }),
    );
    expect([replay.status, replay.body.error.id]).toEqual([410, 'self_service_flow_replaced']);
    const { data: retried } = await t.frontend.getVerificationFlow({ id: replay.body.use_flow_id });
    expect(ids(retried.ui.messages)).toEqual([4070002]);
  });

  it('gives a browser the verification page: its URL to an SPA, the redirect to an HTML form', async () => {
    const spa = new BrowserClient(t.server.publicUrl);
    const spaFlow = (await (
      await spa.getJson('/self-service/registration/browser')
    ).json()) as RegistrationFlow;
    const answer = await spa.postJson(spaFlow.ui.action, {
      csrf_token: csrfTokenOf(spaFlow),
      method: 'password',
      traits: traits('spa-verify@example.test'),
      password: PASSWORD,
    });
    expect(answer.status).toBe(200);
    const { continue_with: continueWith } = (await answer.json()) as {
      continue_with: { action: string; flow?: { id: string; url?: string } }[];
    };
    const show = continueWith.find((c) => c.action === 'show_verification_ui');
    expect(show?.flow?.url).toBe(`${t.server.publicUrl}/ui/verification?flow=${show?.flow?.id}`);

    const form = new BrowserClient(t.server.publicUrl);
    const formFlow = (await (
      await form.getJson('/self-service/registration/browser')
    ).json()) as RegistrationFlow;
    const sent = await form.postForm(formFlow.ui.action, {
      csrf_token: csrfTokenOf(formFlow),
      method: 'password',
      'traits.email': 'form-verify@example.test',
      'traits.fullname': 'Form Verify',
      'traits.phone_number': '5550100',
      'traits.user_type': 'student',
      password: PASSWORD,
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toMatch(
      new RegExp(`^${t.server.publicUrl}/ui/verification\\?flow=`),
    );
  });

  it('leads to the after_verification_return_to of the registration, after the code from the link is submitted', async () => {
    const email = 'after-verification@example.test';
    const browser = new BrowserClient(t.server.publicUrl);
    const query = new URLSearchParams({
      return_to: 'http://app.example.test/after-signup',
      after_verification_return_to: 'http://app.example.test/verified',
    });
    const registration = (await (
      await browser.getJson(`/self-service/registration/browser?${query}`)
    ).json()) as RegistrationFlow;
    const answer = await browser.postJson(registration.ui.action, {
      csrf_token: csrfTokenOf(registration),
      method: 'password',
      traits: traits(email),
      password: PASSWORD,
    });
    expect(answer.status).toBe(200);
    const registered = (await answer.json()) as {
      identity: { id: string };
      continue_with: { action: string; flow?: { id: string } }[];
    };
    const flowId = registered.continue_with.find((c) => c.action === 'show_verification_ui')?.flow?.id;
    const fetchFlow = async () =>
      (await (
        await browser.getJson(`/self-service/verification/flows?id=${flowId}`)
      ).json()) as VerificationFlowJson;

    // As Kratos's NewPostHookFlow: after_verification_return_to becomes the flow's return_to.
    const started = await fetchFlow();
    expect(started.return_to).toBe('http://app.example.test/verified');
    const requestUrl = new URL(started.request_url);
    expect(requestUrl.searchParams.get('return_to')).toBe('http://app.example.test/verified');
    expect(requestUrl.searchParams.has('after_verification_return_to')).toBe(false);

    // The emailed link fills the code in and shows the UI; it redeems nothing by itself.
    const mail = await mailTo(t.smtp, email);
    const code = codeIn(mail.text);
    const link = verificationLinkIn(mail);
    expect(link).toContain(`code=${code}`);
    const clicked = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(clicked.status).toBe(303);
    expect(clicked.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flowId}`);
    const { data: unverified } = await t.admin.getIdentity({ id: registered.identity.id });
    expect(unverified.verifiable_addresses?.[0]).toMatchObject({ verified: false });
    const shown = await fetchFlow();
    expect(shown.state).toBe('sent_email');
    expect(inputValue(shown, 'code')).toBe(code);

    // The person submits it: verified, back to the UI (as Kratos's code strategy), whose
    // "Continue" link leads to after_verification_return_to.
    const submitted = await browser.postForm(`/self-service/verification?flow=${flowId}`, {
      csrf_token: csrfTokenOf(shown),
      method: 'code',
      code,
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flowId}`);
    const done = await fetchFlow();
    expect(done.state).toBe('passed_challenge');
    expect(continueHref(done)).toBe('http://app.example.test/verified');
    const { data: verified } = await t.admin.getIdentity({ id: registered.identity.id });
    expect(verified.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: 'completed' });
  });

  it('is passed on by the built-in UI, from its registration page to the flow it starts', async () => {
    const browser = new BrowserClient(t.server.publicUrl);
    const page = await browser.request(
      '/ui/registration?after_verification_return_to=http%3A%2F%2Fapp.example.test%2Fverified',
      { headers: { accept: 'text/html' } },
    );
    expect(page.status).toBe(303);
    const init = new URL(page.headers.get('location') ?? '');
    expect(init.pathname).toBe('/self-service/registration/browser');
    expect(init.searchParams.get('after_verification_return_to')).toBe('http://app.example.test/verified');
    const started = await browser.request(init.toString(), { headers: { accept: 'text/html' } });
    const flowId = new URL(started.headers.get('location') ?? '').searchParams.get('flow');
    const flow = (await (
      await browser.getJson(`/self-service/registration/flows?id=${flowId}`)
    ).json()) as RegistrationFlow & { request_url: string };
    expect(new URL(flow.request_url).searchParams.get('after_verification_return_to')).toBe(
      'http://app.example.test/verified',
    );
  });

  it("keeps the registration's return_to without after_verification_return_to, and drops one not allowed", async () => {
    const started = async (email: string, query: Record<string, string>) => {
      const browser = new BrowserClient(t.server.publicUrl);
      const registration = (await (
        await browser.getJson(`/self-service/registration/browser?${new URLSearchParams(query)}`)
      ).json()) as RegistrationFlow;
      const answer = await browser.postJson(registration.ui.action, {
        csrf_token: csrfTokenOf(registration),
        method: 'password',
        traits: traits(email),
        password: PASSWORD,
      });
      expect(answer.status).toBe(200);
      const { continue_with: continueWith } = (await answer.json()) as {
        continue_with: { action: string; flow?: { id: string } }[];
      };
      const id = continueWith.find((c) => c.action === 'show_verification_ui')?.flow?.id;
      return (await (
        await browser.getJson(`/self-service/verification/flows?id=${id}`)
      ).json()) as VerificationFlowJson;
    };
    const kept = await started('keeps-return-to@example.test', {
      return_to: 'http://app.example.test/after-signup',
    });
    expect(kept.return_to).toBe('http://app.example.test/after-signup');
    const refused = await started('foreign-return-to@example.test', {
      after_verification_return_to: 'https://evil.example.test/phish',
    });
    expect(refused).not.toHaveProperty('return_to');
  });

  it('opens a native flow from its emailed link in a browser: the UI shows the code, a prefetch spends nothing', async () => {
    const register = async (email: string) => {
      const { data: flow } = await t.frontend.createNativeRegistrationFlow();
      const { data: registered } = await t.frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: { method: 'password', traits: traits(email), password: PASSWORD },
      });
      const show = registered.continue_with?.find((c) => c.action === 'show_verification_ui') as
        | { flow: { id: string } }
        | undefined;
      const mail = await mailTo(t.smtp, email);
      return {
        identityId: registered.identity.id,
        flowId: show?.flow.id ?? '',
        code: codeIn(mail.text),
        link: verificationLinkIn(mail),
      };
    };
    const html = { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } };

    // A mail scanner fetches the link first: the UI, not raw JSON, and the code stays unspent,
    // so the app still completes the flow with it.
    const app = await register('native-prefetched@example.test');
    const scanner = new BrowserClient(t.server.publicUrl);
    const scanned = await scanner.request(app.link, html);
    expect(scanned.status).toBe(303);
    expect(scanned.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${app.flowId}`);
    const { data: completed } = await t.frontend.updateVerificationFlow({
      flow: app.flowId,
      updateVerificationFlowBody: { method: 'code', code: app.code },
    });
    expect(completed.state).toBe('passed_challenge');

    // The person completes a native flow in the browser the link opened.
    const person = await register('native-in-browser@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    const opened = await browser.request(person.link, html);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(
      `${t.server.publicUrl}/ui/verification?flow=${person.flowId}`,
    );
    const { data: before } = await t.admin.getIdentity({ id: person.identityId });
    expect(before.verifiable_addresses?.[0]).toMatchObject({ verified: false });
    const shown = await browser.getJson(`/self-service/verification/flows?id=${person.flowId}`);
    expect(shown.status).toBe(200);
    expect(inputValue((await shown.json()) as VerificationFlowJson, 'code')).toBe(person.code);
    const submitted = await browser.postForm(`/self-service/verification?flow=${person.flowId}`, {
      method: 'code',
      code: person.code,
    });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe(
      `${t.server.publicUrl}/ui/verification?flow=${person.flowId}`,
    );
    const done = (await (
      await browser.getJson(`/self-service/verification/flows?id=${person.flowId}`)
    ).json()) as VerificationFlowJson;
    expect(done.state).toBe('passed_challenge');
    expect(ids(done.ui.messages)).toEqual([1080002]);
    expect(continueHref(done)).toBe('http://app.example.test/welcome');
    const { data: after } = await t.admin.getIdentity({ id: person.identityId });
    expect(after.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: 'completed' });
  });

  it("lets the browser a flow's link is opened in finish it, and the browser that asked still submit it", async () => {
    const email = 'two-browsers@example.test';
    const identity = await createIdentity(t.admin, email);
    const desktop = new BrowserClient(t.server.publicUrl);
    const flow = (await (
      await desktop.getJson('/self-service/verification/browser')
    ).json()) as VerificationFlowJson;
    const sent = await desktop.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'code',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    expect(sent.status).toBe(200);
    const desktopForm = (await sent.json()) as VerificationFlowJson;
    const mail = await mailTo(t.smtp, email);
    const code = codeIn(mail.text);

    // Opened on the phone: its browser may now fetch the flow, the code filled in.
    const phone = new BrowserClient(t.server.publicUrl);
    const opened = await phone.request(verificationLinkIn(mail), { headers: { accept: 'text/html' } });
    expect(opened.status).toBe(303);
    const shown = await phone.getJson(`/self-service/verification/flows?id=${flow.id}`);
    expect(shown.status).toBe(200);
    expect(inputValue((await shown.json()) as VerificationFlowJson, 'code')).toBe(code);

    // The code is the proof: the desktop's open form still submits it (with its CSRF token).
    const submitted = await desktop.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'code',
      code,
      csrf_token: csrfTokenOf(desktopForm),
    });
    expect(submitted.status).toBe(200);
    expect(((await submitted.json()) as VerificationFlowJson).state).toBe('passed_challenge');
    const { data } = await t.admin.getIdentity({ id: identity.id });
    expect(data.verifiable_addresses?.[0]).toMatchObject({ verified: true });
  });

  it('accepts one code once: of 20 parallel submissions exactly one succeeds', async () => {
    const email = 'parallel@example.test';
    await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', email },
    });
    const code = codeIn((await mailTo(t.smtp, email)).text);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        t.frontend.updateVerificationFlow({
          flow: flow.id,
          updateVerificationFlowBody: { method: 'code', code },
        }),
      ),
    );
    // The others are told the code is used (4070006, answered 200 as Kratos) or that the flow is done.
    const passed = results.filter(
      (r) => r.status === 'fulfilled' && r.value.data.state === 'passed_challenge',
    );
    expect(passed).toHaveLength(1);
  });

  it('stops accepting codes after 5 wrong tries in a flow', async () => {
    const email = 'guesser@example.test';
    await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', email },
    });
    const code = codeIn((await mailTo(t.smtp, email)).text);
    const wrongCode = code === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) {
      const wrong = await t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code: wrongCode },
      });
      expect([wrong.status, ids(wrong.data.ui.messages)]).toEqual([200, [4070006]]);
    }
    // Past the tries, even the right code is refused: the flow is replaced by a new one saying
    // "submitted too often" (4000001), as Kratos's ErrCodeSubmittedTooOften.
    const right = await failure<{ error: { id: string }; use_flow_id: string }>(
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code },
      }),
    );
    expect(right.status).toBe(410);
    expect(right.body.error.id).toBe('self_service_flow_replaced');
    const { data: next } = await t.frontend.getVerificationFlow({ id: right.body.use_flow_id });
    expect(ids(next.ui.messages)).toEqual([4000001]);
  });

  it('recovers a native account by code and continues to settings with a session token', async () => {
    const email = 'recover-native@example.test';
    await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const { data: sent } = await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', email },
    });
    expect(sent.state).toBe('sent_email');
    expect(ids(sent.ui.messages)).toEqual([1060003]);
    const mail = await mailTo(t.smtp, email);
    const code = codeIn(mail.text);

    const { data: done } = await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'code', code },
    });
    expect(done.state).toBe('passed_challenge');
    const continueWith = done.continue_with ?? [];
    const token = (
      continueWith.find((c) => c.action === 'set_ory_session_token') as { ory_session_token: string }
    ).ory_session_token;
    const settings = done.continue_with?.find((c) => c.action === 'show_settings_ui') as {
      flow: { id: string };
    };
    expect(settings.flow.id).toBeTruthy();
    const { data: whoami } = await t.frontend.toSession({ xSessionToken: token });
    expect(whoami.identity?.traits.email).toBe(email);
    expect(whoami.authentication_methods?.[0]?.method).toBe('code_recovery');

    // Settings changes the password with the privileged session recovery gave.
    const newPassword = 'a brand new passphrase for grace';
    await t.frontend.updateSettingsFlow({
      flow: settings.flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: 'password', password: newPassword },
    });
    expect((await failure(login(email))).status).toBe(400);
    const { data: again } = await login(email, newPassword);
    expect(again.session.identity?.traits.email).toBe(email);
  });

  it('recovers a browser account by link, built on the public base URL whatever the Host header says', async () => {
    const email = 'recover-link@example.test';
    await createIdentity(t.admin, email);
    // A second server config is not needed: the flow's method comes from an admin link, and
    // the browser flow below sends a code, so also test the link flow through the admin API.
    const browser = new BrowserClient(t.server.publicUrl);
    const init = await browser.getJson('/self-service/recovery/browser');
    const flow = (await init.json()) as { id: string; ui: { nodes: { attributes: object }[] } };
    const submit = await browser.request(`/self-service/recovery?flow=${flow.id}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', host: 'evil.example' },
      body: JSON.stringify({ method: 'code', email, csrf_token: csrfTokenOf(flow) }),
    });
    expect(submit.status).toBe(200);
    const mail = await mailTo(t.smtp, email);
    expect(mail.text).not.toContain('evil.example');
    const code = codeIn(mail.text);
    const done = await browser.request(`/self-service/recovery?flow=${flow.id}`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ method: 'code', code, csrf_token: csrfTokenOf(flow) }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(/\/ui\/settings\?flow=/);
    const whoami = await browser.getJson('/sessions/whoami');
    expect(whoami.status).toBe(200);
  });

  it('admin recovery link signs the person in and sends the browser to settings', async () => {
    const email = 'admin-link@example.test';
    const identity = await createIdentity(t.admin, email);
    const response = await fetch(`${t.server.adminUrl}/admin/recovery/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id, expires_in: '15m' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { recovery_link: string; expires_at: string };
    expect(body.recovery_link.startsWith(`${t.server.publicUrl}/self-service/recovery?flow=`)).toBe(true);
    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(body.recovery_link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toMatch(/\/ui\/settings\?flow=/);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
    // The link is single-use: used again, a new browser flow says so (4060004), as Kratos.
    const again = await new BrowserClient(t.server.publicUrl).request(body.recovery_link, {
      headers: { accept: 'application/json' },
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toMatch(/\/ui\/recovery\?flow=/);
  });

  it('admin recovery code works once in its flow', async () => {
    const email = 'admin-code@example.test';
    const identity = await createIdentity(t.admin, email);
    const response = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id, flow_type: 'api' }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { recovery_link: string; recovery_code: string };
    expect(body.recovery_code).toMatch(/^\d{6}$/);
    const flowId = new URL(body.recovery_link).searchParams.get('flow') ?? '';
    const { data: done } = await t.frontend.updateRecoveryFlow({
      flow: flowId,
      updateRecoveryFlowBody: { method: 'code', code: body.recovery_code },
    });
    expect(done.state).toBe('passed_challenge');
    const missing = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: '00000000-0000-4000-8000-000000000000' }),
    });
    expect(missing.status).toBe(404);
  });

  it('answers an unknown address exactly like a known one, and mails nobody', async () => {
    await createIdentity(t.admin, 'known@example.test');
    async function ask(email: string) {
      const { data: flow } = await t.frontend.createNativeRecoveryFlow();
      const started = performance.now();
      const { data, status } = await t.frontend.updateRecoveryFlow({
        flow: flow.id,
        updateRecoveryFlowBody: { method: 'code', email },
      });
      return {
        status,
        elapsed: performance.now() - started,
        state: data.state,
        messages: data.ui.messages,
        nodes: nodeNames(data.ui.nodes),
      };
    }
    const before = t.smtp.messages.length;
    const known = await ask('known@example.test');
    const unknown = await ask('nobody-here@example.test');
    expect(unknown.status).toBe(known.status);
    expect(unknown.state).toBe(known.state);
    expect(unknown.messages).toEqual(known.messages);
    expect(unknown.nodes).toEqual(known.nodes);
    // Both answer after the same floor (200 ms), far above the work either does.
    expect(unknown.elapsed).toBeGreaterThanOrEqual(195);
    expect(known.elapsed).toBeGreaterThanOrEqual(195);
    await mailTo(t.smtp, 'known@example.test');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.smtp.messages.slice(before).flatMap((m) => m.to)).toEqual(['known@example.test']);
  });
});

describe.each(testDatabases())(
  'verification and recovery by link, SPAs and mail limits ($name)',
  (database) => {
    const t = useCourierServer(database, {
      ...SERVER,
      flows: {
        verification: { enabled: true, use: 'link' },
        recovery: { enabled: true, use: 'link' },
      },
    });

    /** The link in a message that points at the public API. */
    function linkIn(mail: ReceivedMail): string {
      const link = mail.text
        .split(/\s+/)
        .find((word) => word.startsWith(`${t.server.publicUrl}/self-service/`));
      if (!link) throw new Error(`no link in: ${mail.text}`);
      return link;
    }

    /** A link method's flow of `kind` for `email`, started and sent by a native app as its API allows. */
    async function sentNativeLinkFlow(kind: 'recovery' | 'verification', email: string): Promise<string> {
      if (kind === 'recovery') {
        const { data: flow } = await t.frontend.createNativeRecoveryFlow();
        await t.frontend.updateRecoveryFlow({
          flow: flow.id,
          updateRecoveryFlowBody: { method: 'link', email },
        });
        return flow.id;
      }
      const { data: flow } = await t.frontend.createNativeVerificationFlow();
      await t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'link', email },
      });
      return flow.id;
    }

    /** The link mailed to `email`, opened in a fresh browser as a person clicks it: the browser and its answer. */
    async function openMailedLink(email: string) {
      const link = linkIn(await mailTo(t.smtp, email));
      const browser = new BrowserClient(t.server.publicUrl);
      const followed = await browser.request(link, { headers: { accept: 'text/html' } });
      return { browser, followed };
    }

    it('recovers a native flow by its link opened in a browser: a cookie and the settings UI, never the token in the page', async () => {
      const email = 'native-recover-link@example.test';
      await createIdentity(t.admin, email);
      await sentNativeLinkFlow('recovery', email);
      const { browser, followed } = await openMailedLink(email);
      expect(followed.status).toBe(303);
      const location = new URL(String(followed.headers.get('location')));
      expect(location.pathname).toMatch(/\/settings$/);
      expect(await followed.text()).not.toContain('ory_st_');
      // The browser holds the session, and its settings flow is a browser flow it may use.
      const whoami = await browser.getJson('/sessions/whoami');
      expect(
        ((await whoami.json()) as { identity: { traits: { email: string } } }).identity.traits.email,
      ).toBe(email);
      const settings = await browser.getJson(
        `/self-service/settings/flows?id=${location.searchParams.get('flow')}`,
      );
      expect(((await settings.json()) as { type: string; ui: { messages: { id: number }[] } }).type).toBe(
        'browser',
      );
    });

    it('verifies an address by the link in the email', async () => {
      const email = 'link-verify@example.test';
      const identity = await createIdentity(t.admin, email);
      const browser = new BrowserClient(t.server.publicUrl);
      const flow = (await (await browser.getJson('/self-service/verification/browser')).json()) as {
        id: string;
        ui: { nodes: { attributes: object }[] };
      };
      const sent = await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
        method: 'link',
        email,
        csrf_token: csrfTokenOf(flow),
      });
      expect(sent.status).toBe(200);
      expect(ids(((await sent.json()) as { ui: { messages: { id: number }[] } }).ui.messages)).toEqual([
        1080001,
      ]);
      const link = linkIn(await mailTo(t.smtp, email));
      expect(link).toContain('token=');
      const followed = await browser.request(link, { headers: { accept: 'text/html' } });
      expect(followed.status).toBe(303);
      const { data } = await t.admin.getIdentity({ id: identity.id });
      expect(data.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: 'completed' });
      // A link works once: used again, it sends the browser to a new flow saying so (4070001), as
      // Kratos's link strategy does for JSON clients too.
      const again = await browser.request(link, { headers: { accept: 'application/json' } });
      expect(again.status).toBe(303);
      const next = new URL(String(again.headers.get('location')));
      expect(next.searchParams.get('flow')).not.toBe(flow.id);
      const shown = await browser.getJson(
        `/self-service/verification/flows?id=${next.searchParams.get('flow')}`,
      );
      expect(ids(((await shown.json()) as { ui: { messages: { id: number }[] } }).ui.messages)).toEqual([
        4070001,
      ]);
    });

    it("verifies a native flow's address by its link opened in a browser, which is shown the UI, not JSON", async () => {
      const email = 'native-link@example.test';
      const identity = await createIdentity(t.admin, email);
      const flow = { id: await sentNativeLinkFlow('verification', email) };
      const { followed } = await openMailedLink(email);
      expect(followed.status).toBe(303);
      expect(followed.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`);
      const { data } = await t.admin.getIdentity({ id: identity.id });
      expect(data.verifiable_addresses?.[0]).toMatchObject({ verified: true, status: 'completed' });
      const { data: shown } = await t.frontend.getVerificationFlow({ id: flow.id });
      expect(shown.state).toBe('passed_challenge');
    });

    it('recovers an SPA by link: 422 browser_location_change_required names the settings page', async () => {
      const email = 'spa-recover@example.test';
      await createIdentity(t.admin, email);
      const browser = new BrowserClient(t.server.publicUrl);
      const flow = (await (await browser.getJson('/self-service/recovery/browser')).json()) as {
        id: string;
        ui: { nodes: { attributes: object }[] };
      };
      const sent = await browser.postJson(`/self-service/recovery?flow=${flow.id}`, {
        method: 'link',
        email,
        csrf_token: csrfTokenOf(flow),
      });
      expect(sent.status).toBe(200);
      const link = linkIn(await mailTo(t.smtp, email));
      const followed = await browser.request(link, { headers: { accept: 'application/json' } });
      expect(followed.status).toBe(422);
      const body = (await followed.json()) as { error: { id: string }; redirect_browser_to: string };
      expect(body.error.id).toBe('browser_location_change_required');
      expect(body.redirect_browser_to).toMatch(/\/ui\/settings\?flow=/);
      const settingsFlowId = new URL(body.redirect_browser_to).searchParams.get('flow');
      const settings = await browser.getJson(`/self-service/settings/flows?id=${settingsFlowId}`);
      expect(settings.status).toBe(200);
      expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
    });

    it('redeems a link token sent as @ory/client sends it (POST ?token= beside the body)', async () => {
      const email = 'sdk-token@example.test';
      const identity = await createIdentity(t.admin, email);
      const { data: flow } = await t.frontend.createNativeVerificationFlow();
      await t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'link', email },
      });
      const token = new URL(linkIn(await mailTo(t.smtp, email))).searchParams.get('token') ?? '';
      const { data: verified } = await t.frontend.updateVerificationFlow({
        flow: flow.id,
        token,
        updateVerificationFlowBody: { method: 'link', email },
      });
      expect(verified.state).toBe('passed_challenge');
      const { data } = await t.admin.getIdentity({ id: identity.id });
      expect(data.verifiable_addresses?.[0]).toMatchObject({ verified: true });

      // Recovery in a browser (SPA): the token is the proof, so no form CSRF token is needed.
      const recoverEmail = 'sdk-token-recovery@example.test';
      await createIdentity(t.admin, recoverEmail);
      const browser = new BrowserClient(t.server.publicUrl);
      const recovery = (await (await browser.getJson('/self-service/recovery/browser')).json()) as {
        id: string;
        ui: { nodes: { attributes: object }[] };
      };
      await browser.postJson(`/self-service/recovery?flow=${recovery.id}`, {
        method: 'link',
        email: recoverEmail,
        csrf_token: csrfTokenOf(recovery),
      });
      const recoveryToken =
        new URL(linkIn(await mailTo(t.smtp, recoverEmail))).searchParams.get('token') ?? '';
      const redeemed = await browser.postJson(
        `/self-service/recovery?flow=${recovery.id}&token=${recoveryToken}`,
        { method: 'link', email: recoverEmail },
      );
      expect(redeemed.status).toBe(422);
      expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
    });

    it('answers an email link whose ?flow= is missing or malformed with 400, as Kratos', async () => {
      for (const kind of ['recovery', 'verification']) {
        for (const query of ['token=x', 'flow=nope&token=x']) {
          const link = await fetch(`${t.server.publicUrl}/self-service/${kind}?${query}`, {
            headers: { accept: 'application/json' },
          });
          expect(link.status, `${kind} ${query}`).toBe(400);
          expect(await link.json()).toMatchObject({
            error: { reason: 'The flow query parameter is missing or malformed.' },
          });
        }
      }
    });

    it('limits messages per address, known or not, against mail bombing', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const { data: flow } = await t.frontend.createNativeRecoveryFlow();
        try {
          const { status } = await t.frontend.updateRecoveryFlow({
            flow: flow.id,
            updateRecoveryFlowBody: { method: 'link', email: 'victim@example.test' },
          });
          statuses.push(status);
        } catch (error) {
          const response = (error as { response?: { status: number; headers: Record<string, string> } })
            .response;
          statuses.push(response?.status ?? 0);
          expect(Number(response?.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    });

    it('HTML form: a send past the limit goes back to the form with the wait, not to an error page', async () => {
      type Flow = { id: string; state: string; ui: { messages?: { id: number }[]; nodes: UiNode[] } };
      const emailValue = (flow: Flow) =>
        flow.ui.nodes
          .map((n) => n.attributes as { name?: string; value?: unknown })
          .find((a) => a.name === 'email')?.value;
      const browser = new BrowserClient(t.server.publicUrl);
      const start = async (kind: 'recovery' | 'verification') => {
        const init = await browser.request(`/self-service/${kind}/browser`, {
          headers: { accept: 'text/html' },
        });
        return new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
      };
      const fetchFlow = async (kind: string, id: string) =>
        (await (await browser.getJson(`/self-service/${kind}/flows?id=${id}`)).json()) as Flow;
      const post = async (kind: string, id: string, email: string) => {
        const posted = await browser.postForm(`/self-service/${kind}?flow=${id}`, {
          csrf_token: csrfTokenOf(await fetchFlow(kind, id)),
          method: 'link',
          email,
        });
        expect(posted.status).toBe(303);
        expect(posted.headers.get('location')).toBe(`${t.server.publicUrl}/ui/${kind}?flow=${id}`);
        return fetchFlow(kind, id);
      };

      // Recovery: one flow sent again and again, as "resend" does; the last send is refused.
      const recoveryId = await start('recovery');
      let recovery: Flow | undefined;
      for (let i = 0; i < 6; i++) recovery = await post('recovery', recoveryId, 'bombed-form@example.test');
      expect(recovery?.state).toBe('sent_email');
      expect(ids(recovery?.ui.messages)).toEqual([5000001]);
      expect(emailValue(recovery as Flow)).toBe('bombed-form@example.test');

      // Verification: a fresh flow each time; the refused one keeps the address typed.
      let verification: Flow | undefined;
      for (let i = 0; i < 6; i++)
        verification = await post('verification', await start('verification'), 'bombed-form@example.test');
      expect(verification?.state).toBe('choose_method');
      expect(ids(verification?.ui.messages)).toEqual([5000001]);
      expect(emailValue(verification as Flow)).toBe('bombed-form@example.test');
    });
  },
);

describe('recovery cannot be forced on another browser (sqlite)', () => {
  const t = useCourierServer(undefined, {
    linkMethod: true,
    flows: { recovery: { enabled: true, use: 'code' } },
  });

  it('never redeems a recovery code from a GET link, and rotates the CSRF secret on success', async () => {
    const email = 'mallory@example.test';
    await createIdentity(t.admin, email);
    const attacker = new BrowserClient(t.server.publicUrl);
    const flow = (await (await attacker.getJson('/self-service/recovery/browser')).json()) as {
      id: string;
      ui: { nodes: { attributes: object }[] };
    };
    await attacker.postJson(`/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    const mail = await mailTo(t.smtp, email);
    expect(mail.text).not.toContain('/self-service/recovery?');
    const code = codeIn(mail.text);

    // The victim's browser opens a crafted link carrying the attacker's code: nothing is redeemed.
    const victim = new BrowserClient(t.server.publicUrl);
    const crafted = await victim.request(`/self-service/recovery?flow=${flow.id}&code=${code}`, {
      headers: { accept: 'text/html' },
    });
    expect(crafted.status).toBe(303);
    expect(crafted.headers.get('location')).toMatch(/\/ui\/recovery\?flow=/);
    expect((await victim.getJson('/sessions/whoami')).status).toBe(401);

    // The code still works in the browser that asked for it, which gets a new CSRF secret.
    const csrfCookie = attacker.cookieNames().find((name) => name.startsWith('csrf_token'));
    const before = attacker.cookie(csrfCookie ?? '');
    const done = await attacker.postForm(`/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      code,
      csrf_token: csrfTokenOf(flow),
    });
    expect(done.status).toBe(303);
    expect(attacker.cookie(csrfCookie ?? '')).not.toBe(before);
  });
});
