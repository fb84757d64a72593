/**
 * The login, registration and settings inits as the stock UIs and SDKs call them, against a real
 * Portcullis: kratos-selfservice-ui-node's `?aal=&refresh=&return_to=&organization=&via=` (empty
 * parameters ask for nothing, never a 400), Kratos's reading of `refresh` and
 * `return_session_token_exchange_code`, the per-method after URLs when `return_to=` is empty, the
 * refresh form built for the signed-in identity, and `session_aal1_required`'s message.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoginFlow, UiNode } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import { issueSessions } from './support/sessions.js';
import { useTestServer } from './support/suite-server.js';

const APP = 'http://app.example.test';
/** What kratos-selfservice-ui-node's /login redirects to when it has no `?flow=`. */
const UI_NODE_LOGIN_INIT = '/self-service/login/browser?aal=&refresh=&return_to=&organization=&via=';

type FlowJson = LoginFlow & { return_to?: string };
interface ContinueWith {
  action: string;
  redirect_browser_to?: string;
}

const attributes = (node: UiNode) => node.attributes as { name?: string; type?: string; value?: unknown };

/** The password refresh form as Kratos builds it (the nodes' shape is pinned in the unit snapshot). */
async function kratosRefreshNodes(identifier: string): Promise<UiNode[]> {
  const file = join(import.meta.dirname, '..', 'src/selfservice/nodes/__snapshots__/login-refresh.json');
  const nodes = JSON.parse(await readFile(file, 'utf8')) as UiNode[];
  return nodes.map((node) =>
    attributes(node).name === 'identifier'
      ? { ...node, attributes: { ...node.attributes, value: identifier } }
      : node,
  );
}

describe.each(testDatabases())('login and registration init parameters ($name)', (database) => {
  const suite = useTestServer(database, {
    redis: true,
    extraConfig: {
      selfservice: {
        default_browser_return_url: `${APP}/welcome`,
        allowed_return_urls: [`${APP}/`, 'myapp://signed-in'],
        methods: { password: { enabled: true, config: { haveibeenpwned_enabled: false } } },
        flows: {
          login: {
            ui_url: `${APP}/login`,
            after: { default_browser_return_url: `${APP}/after-login` },
          },
          registration: {
            style: 'unified',
            after: {
              default_browser_return_url: `${APP}/after-registration`,
              password: { hooks: [{ hook: 'session' }] },
            },
          },
          settings: { ui_url: `${APP}/settings` },
        },
      },
    },
  });

  const init = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${suite.server.publicUrl}${path}`, { redirect: 'manual', headers });
  const json = { accept: 'application/json' };

  async function signedInToken(email: string): Promise<string> {
    const identity = await createPasswordIdentity(suite.admin, examTraits(email), PASSWORD);
    const [issued] = await issueSessions(suite.server, identity.id);
    return issued?.token ?? '';
  }

  it("starts a browser login from kratos-selfservice-ui-node's init URL", async () => {
    const page = await init(UI_NODE_LOGIN_INIT, { accept: 'text/html' });
    expect(page.status).toBe(303);
    const location = new URL(page.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${APP}/login`);
    expect(location.searchParams.get('flow')).toMatch(/^[0-9a-f-]{36}$/);

    const spa = await init(UI_NODE_LOGIN_INIT, json);
    expect(spa.status).toBe(200);
    const flow = (await spa.json()) as FlowJson;
    expect(flow).toMatchObject({ type: 'browser', refresh: false, requested_aal: 'aal1' });
    expect(flow).not.toHaveProperty('return_to');

    const registration = await init('/self-service/registration/browser?return_to=&organization=', json);
    expect(registration.status).toBe(200);
    expect(await registration.json()).not.toHaveProperty('return_to');
  });

  it('reads refresh and the exchange flag as Kratos: never a 400 for their spelling', async () => {
    for (const query of ['refresh=1', 'refresh=yes', 'refresh=', 'refresh=TRUE']) {
      const answer = await init(`/self-service/login/api?${query}`);
      expect(answer.status, query).toBe(200);
      expect(((await answer.json()) as FlowJson).refresh, query).toBe(false);
    }
    // Go's strconv.ParseBool on login; an invalid value is false, not an error.
    for (const [value, issued] of [
      ['true', true],
      ['1', true],
      ['True', true],
      ['t', true],
      ['false', false],
      ['nope', false],
      ['', false],
    ] as const) {
      const answer = await init(
        `/self-service/login/api?return_session_token_exchange_code=${value}&return_to=myapp://signed-in`,
      );
      expect(answer.status, value).toBe(200);
      const flow = (await answer.json()) as FlowJson;
      expect(typeof flow.session_token_exchange_code === 'string', value).toBe(issued);
    }
    // Registration compares with "true" only (Kratos's NewRegistrationFlow).
    for (const [value, issued] of [
      ['true', true],
      ['1', false],
      ['', false],
    ] as const) {
      const answer = await init(`/self-service/registration/api?return_session_token_exchange_code=${value}`);
      expect(answer.status, value).toBe(200);
      const flow = (await answer.json()) as FlowJson;
      expect(typeof flow.session_token_exchange_code === 'string', value).toBe(issued);
    }
  });

  it('starts a token exchange without return_to, and leaves the code out of a refresh', async () => {
    for (const kind of ['login', 'registration']) {
      const { data: flow } =
        kind === 'login'
          ? await suite.frontend.createNativeLoginFlow({ returnSessionTokenExchangeCode: true })
          : await suite.frontend.createNativeRegistrationFlow({ returnSessionTokenExchangeCode: true });
      expect(flow.session_token_exchange_code, kind).toEqual(expect.any(String));
    }
    const token = await signedInToken('exchange-refresh@example.com');
    const { data: refresh } = await suite.frontend.createNativeLoginFlow({
      refresh: true,
      returnSessionTokenExchangeCode: true,
      returnTo: 'myapp://signed-in',
      xSessionToken: token,
    });
    expect(refresh.refresh).toBe(true);
    expect(refresh.session_token_exchange_code).toBeUndefined();
    // `refresh=1` is no refresh: a signed-in app is told it is signed in.
    const notRefresh = await init('/self-service/login/api?refresh=1', { 'x-session-token': token });
    expect(notRefresh.status).toBe(400);
    expect(await notRefresh.json()).toMatchObject({ error: { id: 'session_already_available' } });
  });

  it('answers aal2 without a session with Kratos’s session_aal1_required message', async () => {
    const answer = await init('/self-service/login/api?aal=aal2');
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({
      error: {
        id: 'session_aal1_required',
        code: 401,
        status: 'Unauthorized',
        message: 'aal2 and aal3 can only be requested if a session exists already',
        reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.',
      },
    });
  });

  it('treats an empty return_to as none: the per-method after URLs apply', async () => {
    await createPasswordIdentity(suite.admin, examTraits('empty-return@example.com'), PASSWORD);
    const browser = new BrowserClient(suite.server.publicUrl);
    const login = (await (await browser.getJson(UI_NODE_LOGIN_INIT)).json()) as FlowJson;
    const signedIn = await browser.postJson(`/self-service/login?flow=${login.id}`, {
      method: 'password',
      identifier: 'empty-return@example.com',
      password: PASSWORD,
      csrf_token: csrfTokenOf(login),
    });
    expect(signedIn.status).toBe(200);
    const { continue_with: afterLogin } = (await signedIn.json()) as { continue_with: ContinueWith[] };
    expect(afterLogin.find((c) => c.action === 'redirect_browser_to')?.redirect_browser_to).toBe(
      `${APP}/after-login`,
    );

    // ui-node's settings init: `?return_to=` on every visit. A saved change stays on the settings UI.
    const settingsInit = await browser.getJson('/self-service/settings/browser?return_to=');
    expect(settingsInit.status).toBe(200);
    const settings = (await settingsInit.json()) as FlowJson;
    expect(settings).not.toHaveProperty('return_to');
    const saved = await browser.postJson(`/self-service/settings?flow=${settings.id}`, {
      method: 'profile',
      traits: examTraits('empty-return@example.com', 'Ada Renamed'),
      csrf_token: csrfTokenOf(settings),
    });
    expect(saved.status).toBe(200);
    const { continue_with: afterSettings } = (await saved.json()) as { continue_with: ContinueWith[] };
    expect(afterSettings.find((c) => c.action === 'redirect_browser_to')?.redirect_browser_to).toBe(
      `${APP}/settings?flow=${settings.id}`,
    );

    const newcomer = new BrowserClient(suite.server.publicUrl);
    const registration = (await (
      await newcomer.getJson('/self-service/registration/browser?return_to=')
    ).json()) as FlowJson;
    const signedUp = await newcomer.postJson(`/self-service/registration?flow=${registration.id}`, {
      method: 'password',
      traits: examTraits('empty-return-new@example.com'),
      password: PASSWORD,
      csrf_token: csrfTokenOf(registration),
    });
    expect(signedUp.status).toBe(200);
    const { continue_with: afterRegistration } = (await signedUp.json()) as { continue_with: ContinueWith[] };
    expect(afterRegistration.find((c) => c.action === 'redirect_browser_to')?.redirect_browser_to).toBe(
      `${APP}/after-registration`,
    );
  });

  it("builds the refresh form for the signed-in identity, as Kratos's password strategy", async () => {
    const token = await signedInToken('ada@example.com');
    const { data: flow } = await suite.frontend.createNativeLoginFlow({
      refresh: true,
      xSessionToken: token,
    });
    expect(flow.ui.nodes).toEqual(await kratosRefreshNodes('ada@example.com'));

    // A wrong password keeps the form it was built as: the identifier stays hidden and known.
    const refused = await failure<LoginFlow>(
      suite.frontend.updateLoginFlow({
        flow: flow.id,
        xSessionToken: token,
        updateLoginFlowBody: { method: 'password', identifier: 'ada@example.com', password: 'not it at all' },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    expect(
      refused.body.ui.nodes.map((n) => [attributes(n).name, attributes(n).type, attributes(n).value]),
    ).toEqual([
      ['identifier', 'hidden', 'ada@example.com'],
      ['password', 'password', undefined],
      ['method', 'submit', 'password'],
    ]);

    // A browser's refresh: the CSRF token first, then the same nodes.
    const browser = new BrowserClient(suite.server.publicUrl);
    const cookieToken = await signedInToken('ada-browser@example.com');
    const viaCookie = await browser.request('/self-service/login/browser?refresh=true', {
      headers: { ...json, cookie: suite.server.sessionCookie(cookieToken) },
    });
    expect(viaCookie.status).toBe(200);
    const browserFlow = (await viaCookie.json()) as FlowJson;
    expect(browserFlow.ui.nodes.map((n) => attributes(n).name)).toEqual([
      'csrf_token',
      'identifier',
      'password',
      'method',
    ]);
    expect(browserFlow.ui.nodes.slice(1)).toEqual(await kratosRefreshNodes('ada-browser@example.com'));
  });

  it('offers no password form to refresh an identity that has no password', async () => {
    const { data: identity } = await suite.admin.createIdentity({
      createIdentityBody: { schema_id: 'exam', traits: examTraits('no-password@example.com') },
    });
    const [issued] = await issueSessions(suite.server, identity.id);
    const { data: flow } = await suite.frontend.createNativeLoginFlow({
      refresh: true,
      xSessionToken: issued?.token ?? '',
    });
    expect(flow.refresh).toBe(true);
    expect(flow.ui.nodes).toEqual([]);
    expect(flow.ui.messages?.map((m) => m.id)).toEqual([1010003]);
  });
});
