/**
 * An admin-issued recovery code is its own proof (no CSRF token, as Kratos), but not from
 * another site: a page that auto-submits a code issued for the attacker's own account (an
 * invitation) must not sign a visitor's browser into that account (login CSRF).
 */
import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { createExamIdentity } from './support/identities.js';
import { replacementFlow } from './support/one-time-flows.js';
import { submitRecoveryCode } from './support/recovery-codes.js';
import { useTestServer } from './support/suite-server.js';

describe.each(testDatabases())('admin-issued recovery codes posted from another site ($name)', (database) => {
  const t = useTestServer(database, {
    extraConfig: {
      // Nothing is mailed here: the admin API hands out the codes.
      courier: { smtp: { connection_uri: 'smtp://127.0.0.1:9/' } },
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        flows: { recovery: { enabled: true, use: 'code' } },
      },
    },
  });

  /** A code for a fresh identity, on a flow of `flowType`. */
  async function issued(
    email: string,
    flowType: 'browser' | 'api',
  ): Promise<{ identityId: string; flowId: string; code: string }> {
    const identity = await createExamIdentity(t.admin, email);
    const response = await fetch(`${t.server.adminUrl}/admin/recovery/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_id: identity.id, flow_type: flowType }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { recovery_link: string; recovery_code: string };
    return {
      identityId: identity.id,
      flowId: new URL(body.recovery_link).searchParams.get('flow') ?? '',
      code: body.recovery_code,
    };
  }

  /** What a browser sends for a form on `site` that posts to the recovery endpoint. */
  function formPost(browser: BrowserClient, flowId: string, code: string, site: string, origin?: string) {
    return browser.request(`/self-service/recovery?flow=${flowId}`, {
      method: 'POST',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': site,
        ...(origin === undefined ? {} : { origin }),
      },
      body: new URLSearchParams({ method: 'code', code }).toString(),
    });
  }

  /** The sessions, active or not, the identity has: none unless someone was signed in as it. */
  async function sessionsOf(identityId: string): Promise<unknown[]> {
    const { data } = await t.admin.listIdentitySessions({ id: identityId });
    return data;
  }

  /**
   * The refused post lands the visitor on the error UI (`303 /ui/error?id=`); the error stored
   * there, read by the same browser, is what the page shows them.
   */
  async function errorShown(victim: BrowserClient, answer: Response): Promise<Record<string, unknown>> {
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${t.server.publicUrl}/ui/error`);
    const read = await victim.getJson(`/self-service/errors?id=${location.searchParams.get('id') ?? ''}`);
    expect(read.status).toBe(200);
    return ((await read.json()) as { error: Record<string, unknown> }).error;
  }

  it('refuses a cross-site form post of a browser flow code as a CSRF violation, and signs nobody in', async () => {
    const { identityId, flowId, code } = await issued('cross-site-browser@example.test', 'browser');
    const victim = new BrowserClient(t.server.publicUrl);
    const answer = await formPost(victim, flowId, code, 'cross-site', 'https://evil.example');
    // Refused: the browser is sent to the error page, not on to settings with a session; the page
    // shows Kratos's CSRF error (a browser flow without its token, nosurfx's CSRFErrorReason).
    expect(await errorShown(victim, answer)).toMatchObject({
      id: 'security_csrf_violation',
      code: 403,
      status: 'Forbidden',
    });
    expect(victim.cookie('ory_kratos_session')).toBeUndefined();
    expect((await victim.getJson('/sessions/whoami')).status).toBe(401);
    expect(await sessionsOf(identityId)).toEqual([]);
    // Nothing was used up: the code, typed into the UI by the person it was issued for, still works.
    const person = new BrowserClient(t.server.publicUrl);
    const typed = await formPost(person, flowId, code, 'same-origin', t.server.publicUrl);
    expect(typed.status).toBe(303);
    expect(typed.headers.get('location')).toMatch(/\/ui\/settings\?flow=/);
    expect(await sessionsOf(identityId)).toHaveLength(1);
  });

  it('refuses a cross-site form post of an api flow code as a browser on a native flow, and signs nobody in', async () => {
    const { identityId, flowId, code } = await issued('cross-site-api@example.test', 'api');
    const victim = new BrowserClient(t.server.publicUrl);
    const answer = await formPost(victim, flowId, code, 'cross-site', 'https://evil.example');
    // Refused as Kratos's EnsureCSRF refuses a native flow posted with an Origin header
    // (ErrOriginHeaderNeedsBrowserFlow, a 400), which its code strategy answers with a new browser
    // flow (retryRecoveryFlow with flow.TypeBrowser) saying the reason (4000001), in the UI.
    const shown = await replacementFlow(victim, answer, 'recovery', flowId);
    expect([shown.type, shown.state]).toEqual(['browser', 'choose_method']);
    expect(shown.ui.messages).toEqual([
      expect.objectContaining({
        id: 4000001,
        type: 'error',
        text: 'The HTTP Request Header included the "Origin" key, indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.',
      }),
    ]);
    expect(victim.cookie('ory_kratos_session')).toBeUndefined();
    expect((await victim.getJson('/sessions/whoami')).status).toBe(401);
    expect(await sessionsOf(identityId)).toEqual([]);
    // Nothing was used up: the app the code was issued for still redeems it, and gets a session.
    const redeemed = await submitRecoveryCode(t.server.publicUrl, flowId, { code });
    expect(redeemed.status).toBe(200);
    expect(await sessionsOf(identityId)).toHaveLength(1);
  });

  it('takes the code typed into the UI (same-origin), without a CSRF token, as Kratos', async () => {
    const { flowId, code } = await issued('same-origin@example.test', 'browser');
    const person = new BrowserClient(t.server.publicUrl);
    const answer = await formPost(person, flowId, code, 'same-origin', t.server.publicUrl);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toMatch(/\/ui\/settings\?flow=/);
    expect((await person.getJson('/sessions/whoami')).status).toBe(200);
  });
});
