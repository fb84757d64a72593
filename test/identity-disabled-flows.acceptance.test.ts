/**
 * An identity deactivated while a sign-in stores its session (the session manager refuses the
 * session then: IdentityDisabledError) is answered by login, registration and recovery as their
 * own validation error: message 4010011 on the flow, 400 with the flow for JSON clients and 303
 * back to the UI for browsers, as Kratos's login answers a disabled account, never a bare 401.
 * The deactivation is a real admin PATCH, made at the moment the manager checks the identity
 * after storing the session, so the interleaving is deterministic.
 */
import type { IdentityApi, LoginFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { codeIn, mailTo } from './support/mail.js';
import type { TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery staple';
const traits = (email: string) => ({ email, fullname: 'Ada', phone_number: 5550100, user_type: 'educator' });
const ids = (messages: { id: number }[] | undefined) => (messages ?? []).map((m) => m.id);
const DISABLED = {
  id: 4010011,
  text: 'This account has been disabled. Please contact support for assistance.',
  type: 'error',
};

type FlowJson = { id: string; state: string; ui: LoginFlow['ui'] };

/**
 * The next time the session manager checks an identity after storing a session, an admin
 * deactivates that identity first (through the admin API, which ends its sessions).
 */
function deactivateWhileSessionIsStored(server: TestServer): void {
  const store = server.registry.identityStore;
  const isActive = store.isActive;
  store.isActive = async (id) => {
    store.isActive = isActive;
    const patched = await fetch(`${server.adminUrl}/admin/identities/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ op: 'replace', path: '/state', value: 'inactive' }]),
    });
    expect(patched.status).toBe(200);
    return isActive.call(store, id);
  };
}

async function activeSessionsOf(server: TestServer, identityId: string): Promise<unknown[]> {
  const answer = await fetch(`${server.adminUrl}/admin/identities/${identityId}/sessions?active=true`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as unknown[];
}

async function createIdentity(admin: IdentityApi, email: string): Promise<string> {
  const { data } = await admin.createIdentity({
    createIdentityBody: {
      schema_id: 'exam',
      traits: traits(email),
      credentials: { password: { config: { password: PASSWORD } } },
    },
  });
  return data.id;
}

function postJson(server: TestServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.publicUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe.each(testDatabases())('an identity deactivated while its session is stored ($name)', (database) => {
  const t = useCourierServer(database, {
    redis: true,
    flows: {
      registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
      recovery: { enabled: true, use: 'code' },
    },
  });

  it('login (native): 400 with the flow saying the account is disabled, and no session', async () => {
    const id = await createIdentity(t.admin, 'login-native@example.test');
    const { data: flow } = await t.frontend.createNativeLoginFlow();
    deactivateWhileSessionIsStored(t.server);
    const answer = await postJson(t.server, `/self-service/login?flow=${flow.id}`, {
      method: 'password',
      identifier: 'login-native@example.test',
      password: PASSWORD,
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as FlowJson & { session_token?: string };
    expect(body.id).toBe(flow.id);
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.session_token).toBeUndefined();
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
  });

  it('login (HTML form): 303 back to the login UI, whose flow says the account is disabled', async () => {
    const id = await createIdentity(t.admin, 'login-browser@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    const init = await browser.request('/self-service/login/browser', { headers: { accept: 'text/html' } });
    const flowId = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = (await (await browser.getJson(`/self-service/login/flows?id=${flowId}`)).json()) as FlowJson;
    deactivateWhileSessionIsStored(t.server);
    const posted = await browser.postForm(`/self-service/login?flow=${flowId}`, {
      csrf_token: csrfTokenOf(flow),
      method: 'password',
      identifier: 'login-browser@example.test',
      password: PASSWORD,
    });
    expect(posted.status).toBe(303);
    const location = new URL(posted.headers.get('location') ?? '');
    expect([location.pathname, location.searchParams.get('flow')]).toEqual(['/ui/login', flowId]);
    const shown = (await (
      await browser.getJson(`/self-service/login/flows?id=${flowId}`)
    ).json()) as FlowJson;
    expect(shown.ui.messages).toEqual([DISABLED]);
    expect(browser.cookieNames().some((name) => name.includes('session'))).toBe(false);
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
  });

  it('registration (native, session hook): 400 with the flow saying the account is disabled, and no session', async () => {
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    deactivateWhileSessionIsStored(t.server);
    const answer = await postJson(t.server, `/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      traits: traits('register@example.test'),
      password: PASSWORD,
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as FlowJson & { session_token?: string };
    expect(body.id).toBe(flow.id);
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.session_token).toBeUndefined();
  });

  it('recovery by code (native): 400 with the flow saying the account is disabled, and no session', async () => {
    const email = 'recover@example.test';
    const id = await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    const code = codeIn((await mailTo(t.smtp, email, before)).text);
    deactivateWhileSessionIsStored(t.server);
    const answer = await postJson(t.server, `/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      code,
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as FlowJson & { continue_with?: unknown };
    expect(body.id).toBe(flow.id);
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.continue_with).toBeUndefined();
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
  });

  it('recovery by code for an identity already disabled: the same message, not "invalid code"', async () => {
    const email = 'recover-disabled@example.test';
    const id = await createIdentity(t.admin, email);
    const { data: flow } = await t.frontend.createNativeRecoveryFlow();
    const before = t.smtp.messages.length;
    await t.frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
    const code = codeIn((await mailTo(t.smtp, email, before)).text);
    await t.admin.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
    const answer = await postJson(t.server, `/self-service/recovery?flow=${flow.id}`, {
      method: 'code',
      code,
    });
    expect(answer.status).toBe(400);
    expect(ids(((await answer.json()) as FlowJson).ui.messages)).toEqual([4010011]);
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
  });
});
