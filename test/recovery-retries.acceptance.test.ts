/**
 * Recovery steps that cannot go on and are answered with a new flow, as Kratos's strategies
 * answer them:
 * - a link's token that is bad or used (recoveryUseToken: UseRecoveryToken finds no row) and a
 *   web hook's refusal of a link's recovery (recoveryIssueSession): a new browser flow carrying
 *   the message, whose UI every client is sent to (303), SPAs and native flows' links included;
 * - a code posted to a native flow by a client that carries browser state (EnsureCSRF's 400 in
 *   the code strategy's Recover): a new browser flow saying why (4000001), 303 to its JSON for a
 *   JSON client; the code is not spent.
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import { codeIn, mailTo } from './support/mail.js';
import {
  browserRecoveryLinkSent,
  expectLinkRefusedWith4060004,
  messageIds as ids,
  mailedLink,
  type OneTimeFlowJson,
  replacementFlow,
} from './support/one-time-flows.js';
import { submitRecoveryCode } from './support/recovery-codes.js';
import { jsonnetBody, refusal, useHookReceiver, webHookTo } from './support/web-hook-receiver.js';

const LOCKED = 'This account is locked: call the help desk.';

describe.each(testDatabases())('recovery links that cannot recover ($name)', (database) => {
  const hooks = useHookReceiver();
  const t = useCourierServer(database, () => ({
    linkMethod: true,
    flows: {
      recovery: {
        enabled: true,
        use: 'link',
        after: { hooks: [webHookTo(hooks.receiver, '/interrupting', jsonnetBody('function(ctx) {}'))] },
      },
    },
  }));
  const sessionCookie = () => t.server.registry.sessionConfig.cookie.name;

  const browserLinkSent = (email: string) => browserRecoveryLinkSent(t, email);

  /** A native flow with a link mailed for a new identity's address: the flow and the link. */
  async function nativeLinkSent(email: string): Promise<{ flowId: string; link: string }> {
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'link', email } });
    return { flowId: flow.id, link: await mailedLink(t.smtp, 'recovery', email, before) };
  }

  // A native flow's link belongs to no browser; a browser flow's used link clicked again in its own
  // browser gets the same answer (recovery-dead-secrets: a spent token is judged by the token).
  it('sends a link clicked again after it recovered to a new browser flow saying 4060004, HTML and JSON alike', async () => {
    const { flowId, link } = await nativeLinkSent('link-twice@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    const recovered = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(recovered.status).toBe(303);
    expect(new URL(recovered.headers.get('location') ?? '').pathname).toBe('/ui/settings');
    const session = browser.cookie(sessionCookie());

    await expectLinkRefusedWith4060004(browser, link, flowId, ['text/html', 'application/json']);
    // No second session: the browser keeps the one the link gave it.
    expect(browser.cookie(sessionCookie())).toBe(session);
  });

  it('sends an SPA following a link a web hook refuses to the UI of a new browser flow with its message', async () => {
    hooks.receiver.script('/interrupting', [refusal(LOCKED)]);
    const { browser, flowId, link } = await browserLinkSent('link-refused-spa@example.test');
    const refused = await browser.request(link, { headers: { accept: 'application/json' } });
    expect(refused.headers.getSetCookie().some((c) => c.startsWith(`${sessionCookie()}=`))).toBe(false);
    const next = await replacementFlow(browser, refused, 'recovery', flowId);
    expect([next.type, next.state]).toEqual(['browser', 'choose_method']);
    expect(next.ui.messages?.map((m) => m.text)).toEqual([LOCKED]);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });

  it("sends the browser a native flow's refused link is opened in to the UI of a new browser flow", async () => {
    hooks.receiver.script('/interrupting', [refusal(LOCKED)]);
    const { flowId, link } = await nativeLinkSent('link-refused-native@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    const refused = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(await refused.text()).not.toContain('ory_st_');
    const next = await replacementFlow(browser, refused, 'recovery', flowId);
    expect([next.type, next.state]).toEqual(['browser', 'choose_method']);
    expect(next.ui.messages?.map((m) => m.text)).toEqual([LOCKED]);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });
});

describe.each(testDatabases())('recovery codes posted by a client with browser state ($name)', (database) => {
  const t = useCourierServer(database, { flows: { recovery: { enabled: true, use: 'code' } } });

  it('answers a native flow posted with a cookie with a new browser flow saying why (303 to its JSON); the code stays usable', async () => {
    const email = 'native-with-cookie@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    const code = codeIn((await mailTo(t.smtp, email, before)).text);

    // A web view that holds a cookie (the CSRF cookie a browser flow set) posts the native flow.
    const webView = new BrowserClient(t.server.publicUrl);
    await webView.getJson('/self-service/login/browser');
    expect(webView.cookieNames().length).toBeGreaterThan(0);
    const refused = await webView.postJson(`/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      code,
    });
    expect(refused.status).toBe(303);
    expect(await refused.text()).not.toContain('ory_st_');
    const location = new URL(refused.headers.get('location') ?? '');
    expect(location.pathname).toBe('/self-service/recovery/flows');
    expect(location.searchParams.get('id')).not.toBe(flow.id);
    const next = (await (
      await webView.getJson(`${location.pathname}${location.search}`)
    ).json()) as OneTimeFlowJson;
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4000001]]);
    expect(next.ui.messages?.[0]?.text).toMatch(/^The HTTP Request Header included the "Cookie" key/);
    expect(webView.cookie(t.server.registry.sessionConfig.cookie.name)).toBeUndefined();

    // Nothing was spent: the app redeems its code.
    const redeemed = await submitRecoveryCode(t.server.publicUrl, flow.id, { code });
    expect(redeemed.status).toBe(200);
  });

  it('still refuses a browser flow posted without its CSRF token with 403, making no new flow', async () => {
    const email = 'browser-no-csrf@example.test';
    await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const browser = new BrowserClient(t.server.publicUrl);
    const flow = (await (await browser.getJson('/self-service/recovery/browser')).json()) as OneTimeFlowJson;
    const refused = await browser.postJson(`/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      email,
    });
    // Kratos's ParseError hands the 403 back, and the flow's error handler writes it.
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { id: string } }).error.id).toBe('security_csrf_violation');
  });
});
