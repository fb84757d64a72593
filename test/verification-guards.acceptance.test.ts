/**
 * What a verification flow refuses, as Kratos's code and link strategies refuse it: a code
 * guessed at too often (the flow is replaced), an address that is not an email address, and a
 * flow whose `use` method is switched off. And what a followed link leads to: the flow, passed,
 * with its "Continue" link, in the verification UI.
 */
import type { IdentityApi, UiNode } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { queuedTo, useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { codeIn, mailTo } from './support/mail.js';

const traits = (email: string) => ({ email, fullname: 'Ada', phone_number: 5550100, user_type: 'educator' });
const ids = (messages: { id: number }[] | undefined) => (messages ?? []).map((m) => m.id);

type FlowJson = {
  id: string;
  state: string;
  ui: { messages?: { id: number; text: string }[]; nodes: UiNode[] };
};

async function createIdentity(admin: IdentityApi, email: string): Promise<string> {
  const { data } = await admin.createIdentity({
    createIdentityBody: { schema_id: 'exam', traits: traits(email) },
  });
  return data.id;
}

async function verified(admin: IdentityApi, id: string): Promise<boolean | undefined> {
  const { data } = await admin.getIdentity({ id });
  return data.verifiable_addresses?.[0]?.verified;
}

/** The messages on a flow's node `name`. */
function nodeMessages(flow: { ui: { nodes: UiNode[] } }, name: string): number[] {
  const node = flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === name);
  return ids(node?.messages);
}

describe.each(testDatabases())('verification by code refuses ($name)', (database) => {
  const t = useCourierServer(database, {
    redis: true,
    flows: { verification: { enabled: true, use: 'code', notify_unknown_recipients: true } },
  });

  /** A native flow with a code mailed for a new identity's address. */
  async function codeSent(email: string) {
    const id = await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', email },
    });
    const code = codeIn((await mailTo(t.smtp, email, before)).text);
    return { id, flow, code, wrong: code === '123456' ? '654321' : '123456' };
  }

  it('replaces a flow whose code was guessed at 5 times: 410 naming a new flow that says so', async () => {
    const { id, flow, code, wrong } = await codeSent('guessed-native@example.test');
    for (let i = 0; i < 5; i++) {
      const { status, data } = await t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code: wrong },
      });
      expect([status, ids(data.ui.messages)]).toEqual([200, [4070006]]);
    }
    // Past the tries even the right code is refused, and the flow is done for.
    const refused = await failure<{ error: { id: string; code: number }; use_flow_id: string }>(
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code },
      }),
    );
    expect(refused.status).toBe(410);
    expect(refused.body.error).toMatchObject({ id: 'self_service_flow_replaced', code: 410 });
    expect(refused.body.use_flow_id).not.toBe(flow.id);
    const { data: next } = await t.frontend.getVerificationFlow({ id: refused.body.use_flow_id });
    expect([next.type, next.state]).toEqual(['api', 'choose_method']);
    expect(next.ui.messages).toEqual([
      expect.objectContaining({
        id: 4000001,
        text: 'The request was submitted too often. Please request another code.',
      }),
    ]);
    expect(await verified(t.admin, id)).toBe(false);
  });

  it('sends a browser whose code was guessed at too often to the UI of a new flow', async () => {
    const email = 'guessed-browser@example.test';
    await createIdentity(t.admin, email);
    const browser = new BrowserClient(t.server.publicUrl);
    const flow = (await (await browser.getJson('/self-service/verification/browser')).json()) as FlowJson;
    const before = t.smtp.messages.length;
    await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'code',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    const code = codeIn((await mailTo(t.smtp, email, before)).text);
    const post = (value: string) =>
      browser.postForm(`/self-service/verification?flow=${flow.id}`, {
        method: 'code',
        code: value,
        csrf_token: csrfTokenOf(flow),
      });
    for (let i = 0; i < 5; i++) await post(code === '123456' ? '654321' : '123456');
    const refused = await post(code);
    expect(refused.status).toBe(303);
    const location = new URL(refused.headers.get('location') ?? '');
    expect(location.pathname).toBe('/ui/verification');
    const nextId = location.searchParams.get('flow') ?? '';
    expect(nextId).not.toBe(flow.id);
    const next = (await (
      await browser.getJson(`/self-service/verification/flows?id=${nextId}`)
    ).json()) as FlowJson;
    expect(ids(next.ui.messages)).toEqual([4000001]);
  });

  it('refuses a phone number typed as the address: 400 on the email field, and nothing is sent', async () => {
    const phone = '+15551234567';
    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    const refused = await failure<FlowJson>(
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', email: phone },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.state).toBe('choose_method');
    expect(nodeMessages(refused.body, 'email')).toEqual([4000040]);
    expect(refused.body.ui.nodes.find((n) => n.messages.length > 0)?.messages[0]?.text).toBe(
      `${phone} is not a valid email address`,
    );
    // Not even the "someone asked" notice (notify_unknown_recipients) goes to a phone number by email.
    expect(await queuedTo(t.server, phone)).toEqual([]);

    // A browser's form post goes back to the UI, the flow saying the same.
    const browser = new BrowserClient(t.server.publicUrl);
    const browserFlow = (await (
      await browser.getJson('/self-service/verification/browser')
    ).json()) as FlowJson;
    const posted = await browser.postForm(`/self-service/verification?flow=${browserFlow.id}`, {
      method: 'code',
      email: phone,
      csrf_token: csrfTokenOf(browserFlow),
    });
    expect(posted.status).toBe(303);
    const shown = (await (
      await browser.getJson(`/self-service/verification/flows?id=${browserFlow.id}`)
    ).json()) as FlowJson;
    expect(nodeMessages(shown, 'email')).toEqual([4000040]);
  });
});

describe.each(testDatabases())('verification by link ($name)', (database) => {
  const t = useCourierServer(database, {
    linkMethod: true,
    allowedReturnUrls: ['http://app.example.test/'],
    flows: { verification: { enabled: true, use: 'link' } },
  });

  it('shows a followed link its flow, passed, in the UI with a "Continue" link to return_to', async () => {
    const email = 'link-continue@example.test';
    const id = await createIdentity(t.admin, email);
    const browser = new BrowserClient(t.server.publicUrl);
    const returnTo = 'http://app.example.test/after-verification';
    const flow = (await (
      await browser.getJson(`/self-service/verification/browser?return_to=${encodeURIComponent(returnTo)}`)
    ).json()) as FlowJson;
    const before = t.smtp.messages.length;
    await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'link',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    const mail = await mailTo(t.smtp, email, before);
    const link = mail.text.split(/\s+/).find((word) => word.includes('/self-service/verification?flow='));
    expect(link).toContain('token=');

    const followed = await browser.request(link ?? '', { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`);
    expect(await verified(t.admin, id)).toBe(true);

    // The flow as a UI fetches it: passed, saying so, leading on to return_to.
    const shown = (await (
      await browser.getJson(`/self-service/verification/flows?id=${flow.id}`)
    ).json()) as FlowJson;
    expect(shown.state).toBe('passed_challenge');
    expect(ids(shown.ui.messages)).toEqual([1080002]);
    const anchor = shown.ui.nodes.find((n) => (n.attributes as { id?: string }).id === 'continue');
    expect(anchor?.attributes).toMatchObject({ node_type: 'a', href: returnTo });

    // And the built-in UI's page shows that link.
    const page = await browser.request(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`href="${returnTo}"`);
  });
});

describe.each(testDatabases())('verification whose method is switched off ($name)', (database) => {
  // `use: link` while `selfservice.methods.link.enabled` is left off (its default).
  const t = useCourierServer(database, { flows: { verification: { enabled: true, use: 'link' } } });

  it('refuses to start a flow: 400 naming the method, for native apps and browsers', async () => {
    const native = await failure<{ error: { code: number; reason: string } }>(
      t.frontend.createNativeVerificationFlow(),
    );
    expect(native.status).toBe(400);
    expect(native.body.error.reason).toBe(
      'The active verification strategy link is not enabled. Please enable it in the configuration.',
    );
    const browser = await fetch(`${t.server.publicUrl}/self-service/verification/browser`, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
    expect(browser.status).toBe(400);
  });

  it('answers a link to a flow started after registration with 404: the method is off', async () => {
    const email = 'switched-off@example.test';
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        password: 'correct horse battery staple',
        traits: traits(email),
      },
    });
    const mail = await mailTo(t.smtp, email, before);
    const link = mail.text.split(/\s+/).find((word) => word.includes('/self-service/verification?flow='));
    const followed = await fetch(link ?? '', { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(followed.status).toBe(404);
    expect(((await followed.json()) as { error: { reason: string } }).error.reason).toMatch(
      /^This endpoint was disabled by system administrator/,
    );
  });
});
