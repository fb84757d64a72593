/**
 * Recovery secrets judged as Kratos judges them:
 * - a code or link mailed to an address the identity no longer has is dead: Kratos's
 *   identity_recovery_codes / identity_recovery_tokens rows reference the recovery address with
 *   ON DELETE CASCADE, so removing the address removes them, and the secret is answered as any
 *   unknown one (4060006 for a code, 4060004 for a link) — exactly so, no oracle. Codes and links
 *   an admin issued name no address (Kratos stores them without one) and live on;
 * - a used link opened again in the browser it recovered is judged by its token (Kratos's
 *   recoveryUseToken checks no CSRF token): a new browser flow saying 4060004, not a CSRF error;
 * - a new flow names the method it runs in `active` from the start (Kratos's NewFlow sets
 *   `Active` to the strategy's node group), recovery and verification alike.
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
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

/** What a code submission answers, without what differs between any two answers (timestamps). */
async function answerShape(response: Response): Promise<object> {
  const body = (await response.json()) as OneTimeFlowJson & { continue_with?: unknown };
  return { status: response.status, state: body.state, ui: body.ui, continue_with: body.continue_with };
}

describe.each(testDatabases())('recovery codes mailed to a removed address ($name)', (database) => {
  const t = useCourierServer(database, {
    flows: { recovery: { enabled: true, use: 'code' }, verification: { enabled: true, use: 'code' } },
  });

  /** A native flow with a code mailed to `email`: the flow's id and the code. */
  async function codeSent(email: string): Promise<{ flowId: string; code: string }> {
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    return { flowId: flow.id, code: codeIn((await mailTo(t.smtp, email, before)).text) };
  }

  it('answers a code whose address the person changed in settings exactly as a wrong code: 4060006, no session', async () => {
    const old = 'dead-code-old@example.test';
    await createPasswordIdentity(t.admin, examTraits(old), PASSWORD);
    const { data: login } = await loginWithPassword(t.frontend, old, PASSWORD);
    const token = login.session_token ?? '';
    const { flowId, code } = await codeSent(old);
    const wrong = code === '000000' ? '111111' : '000000';
    const wrongAnswer = await answerShape(
      await submitRecoveryCode(t.server.publicUrl, flowId, { code: wrong }),
    );

    // The person moves their account to a new address.
    const { data: settings } = await t.frontend.createNativeSettingsFlow({ xSessionToken: token });
    const changed = await t.frontend.updateSettingsFlow({
      flow: settings.id,
      xSessionToken: token,
      updateSettingsFlowBody: { method: 'profile', traits: examTraits('dead-code-new@example.test') },
    });
    expect(changed.status).toBe(200);

    const dead = await answerShape(await submitRecoveryCode(t.server.publicUrl, flowId, { code }));
    expect(dead).toEqual(wrongAnswer);
    expect(dead).toMatchObject({ status: 200, state: 'sent_email', continue_with: undefined });
    expect(ids((dead as OneTimeFlowJson).ui.messages)).toEqual([4060006]);
  });

  it('answers a code whose address an admin replaced with 4060006, and the new address recovers', async () => {
    const old = 'dead-code-admin-old@example.test';
    const identity = await createPasswordIdentity(t.admin, examTraits(old), PASSWORD);
    const { flowId, code } = await codeSent(old);
    await t.admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'active',
        traits: examTraits('dead-code-admin-new@example.test'),
      },
    });
    const dead = await submitRecoveryCode(t.server.publicUrl, flowId, { code });
    expect(dead.status).toBe(200);
    const body = (await dead.json()) as OneTimeFlowJson & { continue_with?: unknown };
    expect([body.state, ids(body.ui.messages), body.continue_with]).toEqual([
      'sent_email',
      [4060006],
      undefined,
    ]);

    const fresh = await codeSent('dead-code-admin-new@example.test');
    const recovered = await submitRecoveryCode(t.server.publicUrl, fresh.flowId, { code: fresh.code });
    expect([recovered.status, ((await recovered.json()) as OneTimeFlowJson).state]).toEqual([
      200,
      'passed_challenge',
    ]);
  });

  it('keeps a code alive while its address stays (another trait changed)', async () => {
    const email = 'kept-address@example.test';
    const identity = await createPasswordIdentity(t.admin, examTraits(email), PASSWORD);
    const { flowId, code } = await codeSent(email);
    await t.admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: { schema_id: 'exam', state: 'active', traits: examTraits(email, 'Grace') },
    });
    const recovered = await submitRecoveryCode(t.server.publicUrl, flowId, { code });
    expect([recovered.status, ((await recovered.json()) as OneTimeFlowJson).state]).toEqual([
      200,
      'passed_challenge',
    ]);
  });

  it('keeps an admin-issued code alive when the address changes: it names the identity, not an address', async () => {
    const identity = await createPasswordIdentity(
      t.admin,
      examTraits('admin-code-old@example.test'),
      PASSWORD,
    );
    const issued = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id, flow_type: 'api' }),
    });
    expect(issued.status).toBe(201);
    const { recovery_link, recovery_code } = (await issued.json()) as {
      recovery_link: string;
      recovery_code: string;
    };
    await t.admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'active',
        traits: examTraits('admin-code-new@example.test'),
      },
    });
    const flowId = new URL(recovery_link).searchParams.get('flow') ?? '';
    const recovered = await submitRecoveryCode(t.server.publicUrl, flowId, { code: recovery_code });
    expect([recovered.status, ((await recovered.json()) as OneTimeFlowJson).state]).toEqual([
      200,
      'passed_challenge',
    ]);
  });

  it('names the method in `active` from the start, recovery and verification alike (Kratos NewFlow)', async () => {
    const recovery = await fetch(`${t.server.publicUrl}/self-service/recovery/api`);
    expect(((await recovery.json()) as { active?: string }).active).toBe('code');
    const browser = new BrowserClient(t.server.publicUrl);
    const browserRecovery = await browser.getJson('/self-service/recovery/browser');
    expect(((await browserRecovery.json()) as { active?: string }).active).toBe('code');
    const verification = await fetch(`${t.server.publicUrl}/self-service/verification/api`);
    expect(((await verification.json()) as { active?: string }).active).toBe('code');
    const browserVerification = await browser.getJson('/self-service/verification/browser');
    expect(((await browserVerification.json()) as { active?: string }).active).toBe('code');
  });
});

describe.each(testDatabases())('recovery links judged by their token ($name)', (database) => {
  const t = useCourierServer(database, {
    linkMethod: true,
    flows: { recovery: { enabled: true, use: 'link' }, verification: { enabled: true, use: 'link' } },
  });
  const sessionCookie = () => t.server.registry.sessionConfig.cookie.name;

  it('sends a link whose address an admin replaced to a new browser flow saying 4060004; nobody is signed in', async () => {
    const old = 'dead-link-old@example.test';
    const { browser, flowId, link } = await browserRecoveryLinkSent(t, old);
    const { data: found } = await t.admin.listIdentities({ credentialsIdentifier: old });
    const id = found[0]?.id ?? '';
    await t.admin.updateIdentity({
      id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'active',
        traits: examTraits('dead-link-new@example.test'),
      },
    });
    const followed = await browser.request(link, { headers: { accept: 'text/html' } });
    const next = await replacementFlow(browser, followed, 'recovery', flowId);
    expect([next.type, next.state, ids(next.ui.messages)]).toEqual(['browser', 'choose_method', [4060004]]);
    expect(browser.cookie(sessionCookie())).toBeUndefined();
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });

  it('keeps an admin-issued link alive when the address changes', async () => {
    const identity = await createPasswordIdentity(
      t.admin,
      examTraits('admin-link-old@example.test'),
      PASSWORD,
    );
    const issued = await fetch(`${t.server.adminUrl}/admin/recovery/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id }),
    });
    const { recovery_link } = (await issued.json()) as { recovery_link: string };
    await t.admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'active',
        traits: examTraits('admin-link-new@example.test'),
      },
    });
    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(recovery_link, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(303);
    expect(new URL(followed.headers.get('location') ?? '').pathname).toBe('/ui/settings');
    expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
  });

  it("sends a browser flow's link opened again in its own browser after it recovered to a new flow saying 4060004", async () => {
    const { browser, flowId, link } = await browserRecoveryLinkSent(
      t,
      'link-again-same-browser@example.test',
    );
    const recovered = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(recovered.status).toBe(303);
    expect(new URL(recovered.headers.get('location') ?? '').pathname).toBe('/ui/settings');
    const session = browser.cookie(sessionCookie());

    await expectLinkRefusedWith4060004(browser, link, flowId, ['text/html', '*/*', 'application/json']);
    // The same answer for the link posted back with ?token= (the link strategy reads the query).
    const posted = await browser.request(link, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'link' }),
    });
    expect(ids((await replacementFlow(browser, posted, 'recovery', flowId)).ui.messages)).toEqual([4060004]);
    expect(browser.cookie(sessionCookie())).toBe(session);
  });

  it("still keeps a browser flow's unused link to its own browser: another one gets the CSRF error and spends nothing", async () => {
    const { browser, flowId, link } = await browserRecoveryLinkSent(t, 'link-other-browser@example.test');
    const other = new BrowserClient(t.server.publicUrl);
    const refused = await other.request(link, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { id: string } }).error.id).toBe('security_csrf_violation');
    expect((await other.getJson('/sessions/whoami')).status).toBe(401);

    // A bad token is judged by the token in any browser: Kratos's 4060004, nothing to protect.
    const bad = await other.request(`/self-service/recovery?flow=${flowId}&token=not-the-token`, {
      headers: { accept: 'text/html' },
    });
    expect(ids((await replacementFlow(other, bad, 'recovery', flowId)).ui.messages)).toEqual([4060004]);

    // The link was not spent: its own browser recovers with it.
    const recovered = await browser.request(link, { headers: { accept: 'text/html' } });
    expect(recovered.status).toBe(303);
    expect(new URL(recovered.headers.get('location') ?? '').pathname).toBe('/ui/settings');
  });

  it('names the link method in `active` from the start, recovery and verification alike', async () => {
    const recovery = await fetch(`${t.server.publicUrl}/self-service/recovery/api`);
    expect(((await recovery.json()) as { active?: string }).active).toBe('link');
    const verification = await fetch(`${t.server.publicUrl}/self-service/verification/api`);
    expect(((await verification.json()) as { active?: string }).active).toBe('link');
  });

  it('a link mailed to the address before it changed in a native flow is dead too', async () => {
    const old = 'dead-native-link-old@example.test';
    const identity = await createPasswordIdentity(t.admin, examTraits(old), PASSWORD);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({
      flow: flow.id,
      updateRecoveryFlowBody: { method: 'link', email: old },
    });
    const link = await mailedLink(t.smtp, 'recovery', old, before);
    await t.admin.updateIdentity({
      id: identity.id,
      updateIdentityBody: {
        schema_id: 'exam',
        state: 'active',
        traits: examTraits('dead-native-link-new@example.test'),
      },
    });
    const browser = new BrowserClient(t.server.publicUrl);
    const followed = await browser.request(link, { headers: { accept: 'text/html' } });
    const next = await replacementFlow(browser, followed, 'recovery', flow.id);
    expect(ids(next.ui.messages)).toEqual([4060004]);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);
  });
});
