/**
 * Recovery answers that tell an expired code or link from a bad one, and links that are not
 * counted as code attempts — as Kratos's code and link strategies:
 * - the flow's own code past its lifespan: a new flow of the flow's type saying 4060005 (the flow
 *   expired), not 4060006 (invalid or used) on the same flow;
 * - the flow's own link past its lifespan: a new browser flow saying 4060005, whose UI every
 *   client is sent to; the link is used up on the way (clicked again it is "invalid or used":
 *   a new browser flow saying 4060004, as any bad link);
 * - bad links do not spend the flow's tries (`max_submissions` counts typed codes only), so the
 *   real link still works after any number of them.
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import {
  browserRecoveryLinkSent,
  expireSecrets,
  messageIds as ids,
  mailedLink,
  type OneTimeFlowJson,
  postAsApp,
  replacementFlow,
} from './support/one-time-flows.js';
import { browserRecoveryCode, nativeRecoveryCode } from './support/recovery-codes.js';

const EXPIRED_TEXT = /^The recovery flow expired \d+\.\d\d minutes ago, please try again\.$/;

describe.each(testDatabases())('recovery by code past its time ($name)', (database) => {
  const t = useCourierServer(database, { flows: { recovery: { enabled: true, use: 'code' } } });

  it('answers an expired code with a new native flow saying 4060005, as Kratos (303 to its JSON)', async () => {
    const email = 'expired-code-native@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const flow = await nativeRecoveryCode(t.frontend, t.smtp, email);
    await expireSecrets(t.server, flow.id);

    const refused = await postAsApp(t.server.publicUrl, 'recovery', flow.id, {
      method: 'code',
      code: flow.code,
    });
    expect(refused.status).toBe(303);
    expect(await refused.text()).not.toContain('ory_st_');
    const location = new URL(refused.headers.get('location') ?? '');
    expect(location.pathname).toBe('/self-service/recovery/flows');
    expect(location.searchParams.get('id')).not.toBe(flow.id);
    const next = (await (await fetch(location)).json()) as OneTimeFlowJson;
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['api', 'choose_method', [4060005]]);
    expect(next.ui.messages?.[0]?.text).toMatch(EXPIRED_TEXT);
  });

  it("sends a browser's expired code to the UI of a new flow saying 4060005, signed in nowhere", async () => {
    const email = 'expired-code-browser@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { browser, flow, code } = await browserRecoveryCode(t.server.publicUrl, t.smtp, email);
    await expireSecrets(t.server, flow.id);
    const posted = await browser.postForm(`/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      code,
      csrf_token: csrfTokenOf(flow),
    });
    const next = await replacementFlow(browser, posted, 'recovery', flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4060005]]);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });
});

describe.each(testDatabases())('recovery by link ($name)', (database) => {
  const t = useCourierServer(database, {
    linkMethod: true,
    flows: { recovery: { enabled: true, use: 'link' } },
  });

  const browserLinkSent = (email: string) => browserRecoveryLinkSent(t, email);

  it('sends an expired link to a new browser flow saying 4060005, for any client; clicked again it is used', async () => {
    const email = 'expired-link@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'link', email } });
    const link = await mailedLink(t.smtp, 'recovery', email, before);
    await expireSecrets(t.server, flow.id);

    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(link, { headers: { accept: 'application/json' } });
    const next = await replacementFlow(browser, followed, 'recovery', flow.id);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4060005]]);
    expect(next.ui.messages?.[0]?.text).toMatch(EXPIRED_TEXT);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);

    // Kratos uses the token up before it looks at its expiry: the second click finds no token, and
    // its link strategy (recoveryUseToken) sends every client to a new browser flow saying so.
    const again = await browser.request(link, { headers: { accept: 'application/json' } });
    const retried = await replacementFlow(browser, again, 'recovery', flow.id);
    expect([retried.type, retried.state, ids(retried.ui.messages)]).toEqual([
      'browser',
      'choose_method',
      [4060004],
    ]);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });

  it('does not count links against the flow: the link recovers after more bad ones than max_submissions', async () => {
    const { browser, link } = await browserLinkSent('link-uncounted@example.test');
    const bad = new URL(link);
    const flowId = bad.searchParams.get('flow') ?? '';
    // More than `max_submissions` (5) tries, which a typed code would be refused after. Each is
    // answered as Kratos's recoveryUseToken answers a token it cannot find: a new browser flow
    // saying 4060004, whose UI the SPA is sent to too; the link's own flow is left alone.
    for (let i = 0; i < 7; i++) {
      bad.searchParams.set('token', `bad-${i}`);
      const answer = await browser.request(bad.toString(), { headers: { accept: 'application/json' } });
      const next = await replacementFlow(browser, answer, 'recovery', flowId);
      expect([i, next.type, ids(next.ui.messages)]).toEqual([i, 'browser', [4060004]]);
    }
    const followed = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(new URL(followed.headers.get('location') ?? '').pathname).toBe('/ui/settings');
    expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
  });
});
