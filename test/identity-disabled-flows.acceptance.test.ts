/**
 * An identity deactivated while a sign-in stores its session (the session manager refuses the
 * session then: IdentityDisabledError) is answered by login, registration and recovery as their
 * own validation error: message 4010011 on the flow, 400 with the flow for JSON clients and 303
 * back to the UI for browsers, as Kratos's login answers a disabled account, never a bare 401.
 * The deactivation is a real admin PATCH, made at the moment the manager checks the identity
 * after storing the session, so the interleaving is deterministic.
 */
import type { LoginFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from './support/browser-client.js';
import { postBrowserLogin, startBrowserLogin } from './support/browser-login.js';
import { useCourierServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import { nativeRecoveryCode, submitRecoveryCode } from './support/recovery-codes.js';
import type { TestServer } from './support/server.js';

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

function postJson(server: TestServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.publicUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A JSON client's answer refusing a submission: 400 with the flow it posted to. */
async function refusedFlow(
  answer: Response,
  flowId: string,
): Promise<FlowJson & { session_token?: string; continue_with?: unknown }> {
  expect(answer.status).toBe(400);
  const body = (await answer.json()) as FlowJson & { session_token?: string; continue_with?: unknown };
  expect(body.id).toBe(flowId);
  return body;
}

describe.each(testDatabases())('an identity deactivated while its session is stored ($name)', (database) => {
  const t = useCourierServer(database, {
    redis: true,
    flows: {
      registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
      recovery: { enabled: true, use: 'code' },
    },
  });

  /** A person with a password, created by an operator: the identity's id. */
  const person = async (email: string) =>
    (await createPasswordIdentity(t.admin, examTraits(email), PASSWORD)).id;

  it('login (native): 400 with the flow saying the account is disabled, and no session', async () => {
    const id = await person('login-native@example.test');
    const { data: flow } = await t.frontend.createNativeLoginFlow();
    deactivateWhileSessionIsStored(t.server);
    const answer = await postJson(t.server, `/self-service/login?flow=${flow.id}`, {
      method: 'password',
      identifier: 'login-native@example.test',
      password: PASSWORD,
    });
    const body = await refusedFlow(answer, flow.id);
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.session_token).toBeUndefined();
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
  });

  it('login (HTML form): 303 back to the login UI, whose flow says the account is disabled', async () => {
    const id = await person('login-browser@example.test');
    const browser = new BrowserClient(t.server.publicUrl);
    const login = await startBrowserLogin(browser);
    deactivateWhileSessionIsStored(t.server);
    const posted = await postBrowserLogin(browser, login, 'login-browser@example.test', PASSWORD);
    expect(posted.status).toBe(303);
    const location = new URL(posted.headers.get('location') ?? '');
    expect([location.pathname, location.searchParams.get('flow')]).toEqual(['/ui/login', login.flowId]);
    const shown = (await (
      await browser.getJson(`/self-service/login/flows?id=${login.flowId}`)
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
      traits: examTraits('register@example.test'),
      password: PASSWORD,
    });
    const body = await refusedFlow(answer, flow.id);
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.session_token).toBeUndefined();
  });

  /**
   * A person with a password and a native recovery flow that mailed them a code; `disable` runs
   * before the code is submitted, and the answer must be the flow saying the account is disabled.
   */
  async function recoverDisabled(email: string, disable: (id: string) => Promise<void>) {
    const id = await person(email);
    const { id: flowId, code } = await nativeRecoveryCode(t.frontend, t.smtp, email);
    await disable(id);
    const answer = await submitRecoveryCode(t.server.publicUrl, flowId, { code });
    const body = await refusedFlow(answer, flowId);
    expect(await activeSessionsOf(t.server, id)).toEqual([]);
    return body;
  }

  it('recovery by code (native): 400 with the flow saying the account is disabled, and no session', async () => {
    const body = await recoverDisabled('recover@example.test', async () => {
      deactivateWhileSessionIsStored(t.server);
    });
    expect(body.ui.messages).toEqual([DISABLED]);
    expect(body.continue_with).toBeUndefined();
  });

  it('recovery by code for an identity already disabled: the same message, not "invalid code"', async () => {
    const body = await recoverDisabled('recover-disabled@example.test', async (id) => {
      await t.admin.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });
    });
    expect(ids(body.ui.messages)).toEqual([4010011]);
  });
});
