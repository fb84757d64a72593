/**
 * What a verification flow refuses, as Kratos's code and link strategies refuse it: a code
 * guessed at too often (the flow is replaced), a bad or used link (a new flow says so), an
 * address that is not an email address, and a flow whose `use` method is switched off. And what
 * a passed flow shows: the success and its "Continue" link, in a `GET` form to where it leads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import {
  type CourierServerOptions,
  queuedTo,
  startCourierServer,
  useCourierServer,
} from './support/courier-server.js';
import { type TestDatabase, testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { examTraits as traits } from './support/identities.js';
import { codeIn, mailTo } from './support/mail.js';
import {
  createExamIdentity as createIdentity,
  type OneTimeFlowJson as FlowJson,
  messageIds as ids,
  mailedLink,
  replacementFlow,
  addressVerified as verified,
} from './support/one-time-flows.js';
import type { TestServer } from './support/server.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';
import { nativeVerificationCode, otherThan } from './support/verification-codes.js';

/** The link in the last message to `email` since `before`. */
const linkTo = (smtp: TestSmtpServer, email: string, before: number) =>
  mailedLink(smtp, 'verification', email, before);

/** Kratos's passed form: `GET` to where Continue leads, the anchor alone (no CSRF node). */
function expectPassedForm(flow: FlowJson, href: string, group: 'code' | 'link'): void {
  expect(flow.state).toBe('passed_challenge');
  expect(ids(flow.ui.messages)).toEqual([1080002]);
  expect({ action: flow.ui.action, method: flow.ui.method }).toEqual({ action: href, method: 'GET' });
  expect(flow.ui.nodes.map((n) => [n.type, n.group, (n.attributes as { id?: string }).id])).toEqual([
    ['a', group, 'continue'],
  ]);
  expect(flow.ui.nodes[0]?.attributes).toMatchObject({ node_type: 'a', href });
}

/** The messages on a flow's node `name`. */
function nodeMessages(flow: FlowJson, name: string): number[] {
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
    const { id: flowId, code } = await nativeVerificationCode(t.frontend, t.smtp, email);
    return { id, flow: { id: flowId }, code, wrong: otherThan(code) };
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

  it('answers a code whose address was replaced since exactly as a wrong code', async () => {
    const { id, flow, code, wrong } = await codeSent('replaced-native@example.test');
    await t.admin.updateIdentity({
      id,
      updateIdentityBody: { schema_id: 'exam', state: 'active', traits: traits('moved-native@example.test') },
    });
    const post = (value: string) =>
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code: value },
      });
    // In Kratos the code went with its address (a foreign key, ON DELETE CASCADE): no answer may
    // tell it from a wrong one, which would say it had been right.
    const dead = await post(code);
    const guessed = await post(wrong);
    const shape = (answer: Awaited<ReturnType<typeof post>>) => [
      answer.status,
      answer.data.state,
      ids(answer.data.ui.messages),
      answer.data.ui.nodes.map((n) => (n.attributes as { name?: string }).name),
    ];
    expect(shape(dead)).toEqual(shape(guessed));
    expect(shape(dead).slice(0, 3)).toEqual([200, 'sent_email', [4070006]]);
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
    for (let i = 0; i < 5; i++) await post(otherThan(code));
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

  it('shows a passed flow as Kratos: a GET form to the return URL holding only "Continue"', async () => {
    const { id, flow, code } = await codeSent('passed-native@example.test');
    const { status, data } = await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', code },
    });
    expect(status).toBe(200);
    expectPassedForm(data as FlowJson, 'http://app.example.test/welcome', 'code');
    expect(await verified(t.admin, id)).toBe(true);

    // A browser flow the same: nothing left to post, so no CSRF node.
    const email = 'passed-browser@example.test';
    await createIdentity(t.admin, email);
    const browser = new BrowserClient(t.server.publicUrl);
    const browserFlow = (await (
      await browser.getJson('/self-service/verification/browser')
    ).json()) as FlowJson;
    const before = t.smtp.messages.length;
    await browser.postJson(`/self-service/verification?flow=${browserFlow.id}`, {
      method: 'code',
      email,
      csrf_token: csrfTokenOf(browserFlow),
    });
    const sent = codeIn((await mailTo(t.smtp, email, before)).text);
    const done = await browser.postJson(`/self-service/verification?flow=${browserFlow.id}`, {
      method: 'code',
      code: sent,
      csrf_token: csrfTokenOf(browserFlow),
    });
    expect(done.status).toBe(200);
    expectPassedForm((await done.json()) as FlowJson, 'http://app.example.test/welcome', 'code');
    const fetched = (await (
      await browser.getJson(`/self-service/verification/flows?id=${browserFlow.id}`)
    ).json()) as FlowJson;
    expectPassedForm(fetched, 'http://app.example.test/welcome', 'code');
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
    const link = await linkTo(t.smtp, email, before);

    const followed = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`);
    expect(await verified(t.admin, id)).toBe(true);

    // The flow as a UI fetches it: passed, saying so, its form leading on to return_to.
    const shown = (await (
      await browser.getJson(`/self-service/verification/flows?id=${flow.id}`)
    ).json()) as FlowJson;
    expectPassedForm(shown, returnTo, 'link');

    // And the built-in UI's page shows that link, in a form that posts nothing.
    const page = await browser.request(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`href="${returnTo}"`);
    expect(html).toMatch(/<form[^>]*method="get"/);
    expect(html).not.toContain('name="csrf_token"');
  });

  /** A browser flow (with `return_to`) whose link was mailed to a new identity's address. */
  async function linkSent(email: string, returnTo?: string) {
    const id = await createIdentity(t.admin, email);
    const browser = new BrowserClient(t.server.publicUrl);
    const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
    const flow = (await (
      await browser.getJson(`/self-service/verification/browser${query}`)
    ).json()) as FlowJson;
    const before = t.smtp.messages.length;
    await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'link',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    return { id, browser, flow, link: await linkTo(t.smtp, email, before) };
  }

  /** The new flow a refused link was sent to (303 to its UI), as its browser fetches it. */
  const replacement = (browser: BrowserClient, answer: Response, old: string) =>
    replacementFlow(browser, answer, 'verification', old);

  it('sends a bad link to a new browser flow saying 4070001, keeping return_to, for any client', async () => {
    const returnTo = 'http://app.example.test/after-verification';
    const { id, browser, flow, link } = await linkSent('link-bad@example.test', returnTo);
    const bad = new URL(link);
    bad.searchParams.set('token', 'not-the-token');
    for (const accept of ['text/html', 'application/json']) {
      const answer = await browser.request(bad.toString(), { headers: { accept } });
      const next = await replacement(browser, answer, flow.id);
      expect([next.type, next.state, ids(next.ui.messages)], accept).toEqual([
        'browser',
        'choose_method',
        [4070001],
      ]);
      // Kratos's new flow forgets return_to (its request URL is the link's); kept here, it
      // leads the person where the flow they started would have.
      expect(next.return_to).toBe(returnTo);
    }
    // The flow itself is untouched: its own link still verifies.
    expect((await browser.request(link, { headers: { accept: 'text/html' } })).status).toBe(303);
    expect(await verified(t.admin, id)).toBe(true);
  });

  it('sends a used link to a new flow saying 4070001 rather than the passed flow', async () => {
    const { browser, flow, link } = await linkSent('link-used@example.test');
    expect((await browser.request(link, { headers: { accept: 'text/html' } })).status).toBe(303);
    const again = await browser.request(link, { headers: { accept: 'application/json' } });
    const next = await replacement(browser, again, flow.id);
    expect(ids(next.ui.messages)).toEqual([4070001]);
    // The passed flow still says it passed.
    const passed = (await (
      await browser.getJson(`/self-service/verification/flows?id=${flow.id}`)
    ).json()) as FlowJson;
    expect(ids(passed.ui.messages)).toEqual([1080002]);
  });

  it('does not count link tokens against the flow: the link works after many bad ones', async () => {
    const { id, browser, flow, link } = await linkSent('link-uncounted@example.test');
    const bad = new URL(link);
    // More than `max_submissions` (5) tries, which a typed code would be refused after.
    for (let i = 0; i < 7; i++) {
      bad.searchParams.set('token', `bad-${i}`);
      const answer = await browser.request(bad.toString(), { headers: { accept: 'application/json' } });
      expect(answer.status).toBe(303);
    }
    const followed = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(followed.headers.get('location')).toBe(`${t.server.publicUrl}/ui/verification?flow=${flow.id}`);
    expect(await verified(t.admin, id)).toBe(true);
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

  it('registers without mailing a link nobody could use (Kratos fails the registration instead)', async () => {
    const email = 'switched-off@example.test';
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    const { status, data } = await t.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        password: 'correct horse battery staple',
        traits: traits(email),
      },
    });
    expect(status).toBe(200);
    expect((data.continue_with ?? []).map((item) => item.action)).not.toContain('show_verification_ui');
    expect(await queuedTo(t.server, email)).toEqual([]);
    expect(data.identity.verifiable_addresses?.[0]).toMatchObject({ verified: false, status: 'pending' });
    const { data: stored } = await t.admin.getIdentity({ id: data.identity.id });
    expect(stored.verifiable_addresses?.[0]).toMatchObject({ verified: false, status: 'pending' });
  });
});

/** A database two servers can use one after the other: a file for SQLite, a fresh PostgreSQL one. */
async function sharedDatabase(database: TestDatabase): Promise<{ dsn: string; drop(): Promise<void> }> {
  if (database.name === 'postgres') return database.create();
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-verification-'));
  return {
    dsn: `sqlite://${join(dir, 'shared.sqlite')}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

describe.each(testDatabases())('a link mailed before its method was switched off ($name)', (database) => {
  let smtp: TestSmtpServer;
  let db: { dsn: string; drop(): Promise<void> };
  const servers: TestServer[] = [];
  const options = (linkMethod: boolean): CourierServerOptions => ({
    linkMethod,
    flows: { verification: { enabled: true, use: 'link' } },
  });
  beforeAll(async () => {
    smtp = await startSmtpServer();
    db = await sharedDatabase(database);
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await smtp?.stop();
    await db?.drop();
  });

  it('answers the link with 404: the method is off (Kratos flow.MethodEnabledAndAllowed)', async () => {
    const email = 'switched-off-later@example.test';
    const before = await startCourierServer(db.dsn, smtp, options(true));
    servers.push(before);
    await fetch(`${before.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'exam', traits: traits(email) }),
    });
    const flow = (await (
      await fetch(`${before.publicUrl}/self-service/verification/api`, {
        headers: { accept: 'application/json' },
      })
    ).json()) as FlowJson;
    const sentAt = smtp.messages.length;
    await fetch(`${before.publicUrl}/self-service/verification?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'link', email }),
    });
    const link = new URL(await linkTo(smtp, email, sentAt));
    await before.close();
    servers.pop();

    const after = await startCourierServer(db.dsn, smtp, options(false));
    servers.push(after);
    const followed = await fetch(`${after.publicUrl}${link.pathname}${link.search}`, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
    expect(followed.status).toBe(404);
    expect(((await followed.json()) as { error: { reason: string } }).error.reason).toMatch(
      /^This endpoint was disabled by system administrator/,
    );
  });
});
