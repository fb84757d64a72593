/**
 * Verification answers that tell an expired code or link from a bad one, and what a flow that
 * passed answers when it is posted to again — as Kratos's code and link strategies:
 * - the flow's own code or link past its lifespan: a new flow saying 4070005 (the flow expired),
 *   not 4070006 / 4070001 (invalid or used);
 * - a passed flow posted to without a code or link: a new flow saying 4070002, the passed flow
 *   untouched; the link strategy sends a native app to the new flow's JSON
 *   (`/self-service/verification/flows?id=`), the code strategy answers JSON with 410.
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import {
  addressVerified,
  createExamIdentity,
  expireSecrets,
  type OneTimeFlowJson as FlowJson,
  messageIds as ids,
  mailedLink,
  replacementFlow,
} from './support/one-time-flows.js';
import { browserVerificationCode, nativeVerificationCode, otherThan } from './support/verification-codes.js';

const EXPIRED_TEXT = /^The verification flow expired \d+\.\d\d minutes ago, please try again\.$/;

/** The flow a 303 to the verification UI leads to, as `browser` fetches it. */
const uiFlow = (browser: BrowserClient, answer: Response, old: string): Promise<FlowJson> =>
  replacementFlow(browser, answer, 'verification', old);

describe.each(testDatabases())('verification by code, expired or already passed ($name)', (database) => {
  const t = useCourierServer(database, {
    redis: true,
    flows: { verification: { enabled: true, use: 'code' } },
  });

  /** A native flow with a code mailed for a new identity's address. */
  async function nativeCodeSent(email: string) {
    const id = await createExamIdentity(t.admin, email);
    const { id: flowId, code } = await nativeVerificationCode(t.frontend, t.smtp, email);
    return { id, flow: { id: flowId }, code };
  }

  /** A browser flow with a code mailed for a new identity's address. */
  async function browserCodeSent(email: string) {
    const id = await createExamIdentity(t.admin, email);
    return { id, ...(await browserVerificationCode(t.server.publicUrl, t.smtp, email)) };
  }

  it('answers an expired code with a new native flow saying 4070005: 410 self_service_flow_expired', async () => {
    const { id, flow, code } = await nativeCodeSent('expired-code-native@example.test');
    const expiresAt = await expireSecrets(t.server, flow.id);
    // A wrong code is still only wrong (4070006, the same flow).
    const wrong = await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', code: otherThan(code) },
    });
    expect([wrong.status, wrong.data.id, ids(wrong.data.ui.messages)]).toEqual([200, flow.id, [4070006]]);

    const refused = await failure<{
      error: { id: string; code: number };
      use_flow_id: string;
      expired_at: string;
    }>(
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', code },
      }),
    );
    expect(refused.status).toBe(410);
    expect(refused.body.error).toMatchObject({ id: 'self_service_flow_expired', code: 410 });
    expect(refused.body.expired_at).toBe(expiresAt.toISOString());
    expect(refused.body.use_flow_id).not.toBe(flow.id);
    const { data: next } = await t.frontend.getVerificationFlow({ id: refused.body.use_flow_id });
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['api', 'choose_method', [4070005]]);
    expect(next.ui.messages?.[0]?.text).toMatch(EXPIRED_TEXT);
    expect(await addressVerified(t.admin, id)).toBe(false);
  });

  it("sends a browser's expired code to the UI of a new flow saying 4070005", async () => {
    const { id, browser, flow, code } = await browserCodeSent('expired-code-browser@example.test');
    await expireSecrets(t.server, flow.id);
    const posted = await browser.postForm(`/self-service/verification?flow=${flow.id}`, {
      method: 'code',
      code,
      csrf_token: csrfTokenOf(flow),
    });
    const next = await uiFlow(browser, posted, flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4070005]]);
    expect(await addressVerified(t.admin, id)).toBe(false);
  });

  it('answers a passed native flow posted to again with a new flow saying 4070002 (410 for JSON)', async () => {
    const { flow, code } = await nativeCodeSent('passed-again-native@example.test');
    const done = await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'code', code },
    });
    expect(done.data.state).toBe('passed_challenge');

    const again = await failure<{ error: { id: string; reason: string }; use_flow_id: string }>(
      t.frontend.updateVerificationFlow({
        flow: flow.id,
        updateVerificationFlowBody: { method: 'code', email: 'passed-again-native@example.test' },
      }),
    );
    expect([again.status, again.body.error.id]).toEqual([410, 'self_service_flow_replaced']);
    // retryVerificationFlowWithMessage's words, not …WithError's "please retry the flow".
    expect(again.body.error.reason).toBe('An error occured, please use the new flow.');
    expect(again.body.use_flow_id).not.toBe(flow.id);
    const { data: next } = await t.frontend.getVerificationFlow({ id: again.body.use_flow_id });
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['api', 'choose_method', [4070002]]);
    // The passed flow still says it passed.
    const { data: passed } = await t.frontend.getVerificationFlow({ id: flow.id });
    expect([passed.state, ids(passed.ui.messages)]).toEqual(['passed_challenge', [1080002]]);
  });

  it('sends a passed browser flow posted to again to the UI of a new flow saying 4070002', async () => {
    const { browser, flow, code } = await browserCodeSent('passed-again-browser@example.test');
    const fields = { method: 'code', code, csrf_token: csrfTokenOf(flow) };
    expect((await browser.postForm(`/self-service/verification?flow=${flow.id}`, fields)).status).toBe(303);
    const again = await browser.postForm(`/self-service/verification?flow=${flow.id}`, {
      method: 'code',
      email: 'passed-again-browser@example.test',
      csrf_token: csrfTokenOf(flow),
    });
    const next = await uiFlow(browser, again, flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4070002]]);
  });
});

describe.each(testDatabases())('verification by link, expired or already passed ($name)', (database) => {
  const t = useCourierServer(database, {
    linkMethod: true,
    flows: { verification: { enabled: true, use: 'link' } },
  });

  /** The verification link in the message to `email` after `before`. */
  const linkTo = (email: string, before: number) => mailedLink(t.smtp, 'verification', email, before);

  /** A native flow with a link mailed for a new identity's address. */
  async function nativeLinkSent(email: string) {
    const id = await createExamIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeVerificationFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateVerificationFlow({
      flow: flow.id,
      updateVerificationFlowBody: { method: 'link', email },
    });
    return { id, flow, link: await linkTo(email, before) };
  }

  it('sends an expired link to a new browser flow saying 4070005, for any client; clicked again it is used', async () => {
    const { id, flow, link } = await nativeLinkSent('expired-link@example.test');
    await expireSecrets(t.server, flow.id);
    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(link, { headers: { accept: 'application/json' } });
    const next = await uiFlow(browser, followed, flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4070005]]);
    expect(next.ui.messages?.[0]?.text).toMatch(EXPIRED_TEXT);
    expect(await addressVerified(t.admin, id)).toBe(false);
    // Kratos uses the token up before it looks at its expiry: the second click finds no token.
    const again = await uiFlow(
      browser,
      await browser.request(link, { headers: { accept: 'text/html' } }),
      flow.id,
    );
    expect(ids(again.ui.messages)).toEqual([4070001]);
  });

  it('sends a native app posting to its passed flow to a new native flow saying 4070002', async () => {
    const { flow, link } = await nativeLinkSent('passed-link-native@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    expect((await browser.request(link, { headers: { accept: 'text/html' } })).status).toBe(303);

    const again = await fetch(`${t.server.publicUrl}/self-service/verification?flow=${flow.id}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'link', email: 'passed-link-native@example.test' }),
    });
    expect(again.status).toBe(303);
    const location = new URL(again.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(
      `${t.server.publicUrl}/self-service/verification/flows`,
    );
    const nextId = location.searchParams.get('id') ?? '';
    expect(nextId).not.toBe(flow.id);
    const { data: next } = await t.frontend.getVerificationFlow({ id: nextId });
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['api', 'choose_method', [4070002]]);
    const { data: passed } = await t.frontend.getVerificationFlow({ id: flow.id });
    expect([passed.state, ids(passed.ui.messages)]).toEqual(['passed_challenge', [1080002]]);
  });

  it('sends a browser posting to its passed flow to the UI of a new flow saying 4070002', async () => {
    const email = 'passed-link-browser@example.test';
    await createExamIdentity(t.admin, email);
    const browser = new BrowserClient(t.server.publicUrl);
    const flow = (await (await browser.getJson('/self-service/verification/browser')).json()) as FlowJson;
    const before = t.smtp.messages.length;
    await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'link',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    const link = await linkTo(email, before);
    expect((await browser.request(link, { headers: { accept: 'text/html' } })).status).toBe(303);
    const again = await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
      method: 'link',
      email,
      csrf_token: csrfTokenOf(flow),
    });
    const next = await uiFlow(browser, again, flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4070002]]);
  });
});
