/**
 * Sign-in with an OpenID provider (issue #8) against a real Portcullis and a real provider on
 * loopback (`oidc-provider`, configured like Google), through the browser flow with a
 * cookie-keeping client that follows each redirect: sign up through the exam mapper, out and in
 * again; traits the provider lacks completed on the registration form; a failing mapper; forged,
 * missing and replayed states, a tampered nonce and issuer; account linking only after the
 * existing account's password sign-in; unlink and link in settings.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SignInAtProvider,
  signInAtProvider,
  startOpenIdProvider,
  type TestOpenIdProvider,
} from './fixtures/oidc-provider.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';
import { ageSessions } from './support/sessions.js';

const fixture = (name: string) => pathToFileURL(join(import.meta.dirname, 'fixtures', name)).toString();

interface FlowJson {
  id: string;
  ui: {
    action: string;
    nodes: {
      group: string;
      attributes: { name?: string; value?: unknown };
      messages: { id: number }[];
      meta: { label?: { id: number; text: string } };
    }[];
    messages?: { id: number; text: string; context?: Record<string, unknown> }[];
  };
}

describe.each(testDatabases())('sign-in with an OpenID provider ($name)', (database) => {
  let server: TestServer;
  let provider: TestOpenIdProvider;
  let drop: () => Promise<void>;
  let admin: IdentityApi;
  let publicUrl: string;
  /** Where the registration `before` web hook goes; it answers 200 unless a test says otherwise. */
  let hookTarget: HttpReceiver;

  beforeAll(async () => {
    hookTarget = await startHttpReceiver();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOpenIdProvider({
      redirectUris: ['exam-idp', 'broken-idp'].map(
        (id) => `${publicUrl}/self-service/methods/oidc/callback/${id}`,
      ),
    });
    const db = await database.create();
    drop = db.drop;
    const providerConfig = (id: string, mapper: string) => ({
      id,
      provider: 'generic',
      label: id === 'exam-idp' ? 'Exam IdP' : 'Broken IdP',
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
      issuer_url: provider.issuer,
      mapper_url: fixture(mapper),
      scope: ['openid', 'email', 'profile', 'phone'],
    });
    server = await startTestServer({
      dsn: db.dsn,
      publicListener: { port, base_url: `${publicUrl}/` },
      extraConfig: {
        selfservice: {
          default_browser_return_url: `${publicUrl}/`,
          // A native app's deep link, where the system browser hands over the exchange code.
          allowed_return_urls: ['myapp://signed-in'],
          flows: {
            registration: {
              before: {
                hooks: [
                  {
                    hook: 'web_hook',
                    config: {
                      url: `${hookTarget.url}/before-registration`,
                      method: 'POST',
                      body: `base64://${Buffer.from('function(ctx) {}').toString('base64')}`,
                    },
                  },
                ],
              },
              after: { oidc: { hooks: [{ hook: 'session' }] } },
            },
          },
          methods: {
            password: { enabled: true, config: { haveibeenpwned_enabled: false } },
            oidc: {
              enabled: true,
              config: {
                providers: [
                  providerConfig('exam-idp', 'oidc-exam.mapper.jsonnet'),
                  providerConfig('broken-idp', 'oidc-failing.mapper.jsonnet'),
                ],
              },
            },
          },
        },
      },
    });
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
    await hookTarget?.stop();
    await drop?.();
  });

  async function flowJson(browser: BrowserClient, kind: string, id: string): Promise<FlowJson> {
    const response = await browser.getJson(`/self-service/${kind}/flows?id=${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as FlowJson;
  }

  /** Starts a browser flow and returns it as the UI would load it. */
  async function startFlow(browser: BrowserClient, kind: 'login' | 'registration'): Promise<FlowJson> {
    const init = await browser.request(`/self-service/${kind}/browser`);
    expect(init.status).toBe(303);
    const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    return flowJson(browser, kind, id);
  }

  /** Presses "Sign in with Exam IdP" (or another provider's button): the answer sends the browser away. */
  async function pressProvider(browser: BrowserClient, flow: FlowJson, providerId: string): Promise<string> {
    const response = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      provider: providerId,
    });
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location.startsWith(provider.issuer)).toBe(true);
    return location;
  }

  /** The whole round trip: button, provider sign-in, callback; returns the callback's answer. */
  async function roundTrip(
    browser: BrowserClient,
    kind: 'login' | 'registration',
    login: string,
    options: { providerId?: string; tamper?: SignInAtProvider } = {},
  ): Promise<Response> {
    const flow = await startFlow(browser, kind);
    const authorization = await pressProvider(browser, flow, options.providerId ?? 'exam-idp');
    const callback = await signInAtProvider(
      browser,
      options.tamper?.authorization?.(authorization) ?? authorization,
      login,
    );
    return browser.request((options.tamper?.callback?.(callback) ?? callback).toString());
  }

  async function whoami(
    browser: BrowserClient,
  ): Promise<{ identity: { id: string; traits: Record<string, unknown> } } | undefined> {
    const response = await browser.getJson('/sessions/whoami');
    return response.status === 200
      ? ((await response.json()) as { identity: { id: string; traits: Record<string, unknown> } })
      : undefined;
  }

  async function signOut(browser: BrowserClient): Promise<void> {
    const logout = (await (await browser.getJson('/self-service/logout/browser')).json()) as {
      logout_url: string;
    };
    expect((await browser.request(logout.logout_url)).status).toBe(303);
    expect(await whoami(browser)).toBeUndefined();
  }

  async function oidcIdentifiers(identityId: string): Promise<string[]> {
    const { data } = await admin.getIdentity({ id: identityId, includeCredential: ['oidc'] });
    return data.credentials?.oidc?.identifiers ?? [];
  }

  /** The provider accounts `include_credential=oidc` shows for an identity, with their tokens. */
  async function linkedAccounts(identityId: string): Promise<Array<Record<string, unknown>>> {
    const { data } = await admin.getIdentity({ id: identityId, includeCredential: ['oidc'] });
    const config = data.credentials?.oidc?.config as
      | { providers?: Array<Record<string, unknown>> }
      | undefined;
    return config?.providers ?? [];
  }

  /** Whom the provider's UserInfo endpoint says an access token is for (undefined if it refuses it). */
  async function userInfoSubject(accessToken: unknown): Promise<string | undefined> {
    const discovery = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
      userinfo_endpoint: string;
    };
    const answer = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${String(accessToken)}` },
    });
    return answer.ok ? ((await answer.json()) as { sub?: string }).sub : undefined;
  }

  /** The subject of an ID token (its signature was checked at sign-in). */
  const idTokenSubject = (jwt: unknown): unknown =>
    (JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString()) as { sub?: unknown })
      .sub;

  /** Every credential row's config as stored, to look for secrets in the clear. */
  async function storedCredentialConfigs(identityId: string): Promise<string> {
    const rows = await server.registry.database.db
      .selectFrom('identity_credentials')
      .selectAll()
      .where('identity_id', '=', identityId)
      .execute();
    return JSON.stringify(rows);
  }

  /**
   * A native app's exchange up to the system browser: an api flow of `kind` asking for the session
   * token exchange, and its provider button, answered 422 with where to send the browser.
   */
  async function startExchange(
    kind: 'login' | 'registration',
  ): Promise<{ flowId: string; initCode: string; redirectBrowserTo: string }> {
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    const options = { returnSessionTokenExchangeCode: true, returnTo: 'myapp://signed-in' };
    const { data: flow } =
      kind === 'login'
        ? await frontend.createNativeLoginFlow(options)
        : await frontend.createNativeRegistrationFlow(options);
    const body = { method: 'oidc' as const, provider: 'exam-idp' };
    const pressed = await failure<{ redirect_browser_to: string; error: { id: string } }>(
      kind === 'login'
        ? frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body })
        : frontend.updateRegistrationFlow({ flow: flow.id, updateRegistrationFlowBody: body }),
    );
    expect(pressed.status).toBe(422);
    expect(pressed.body.error.id).toBe('browser_location_change_required');
    return {
      flowId: flow.id,
      initCode: flow.session_token_exchange_code ?? '',
      redirectBrowserTo: pressed.body.redirect_browser_to,
    };
  }

  /** The system browser signs in at the provider as `login`; the callback's answer. */
  async function finishInBrowser(browser: BrowserClient, redirectBrowserTo: string, login: string) {
    return browser.request((await signInAtProvider(browser, redirectBrowserTo, login)).toString());
  }

  /** The return-to code of the callback's redirect to the app's link. */
  function returnToCodeOf(landed: Response): string {
    expect(landed.status).toBe(303);
    const deepLink = new URL(landed.headers.get('location') ?? '');
    expect(`${deepLink.protocol}//${deepLink.host}`).toBe('myapp://signed-in');
    return deepLink.searchParams.get('code') ?? '';
  }

  it('signs a native app up and in through the system browser with the session token exchange', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    provider.accounts.set('native-at-idp', {
      email: 'native-browser@example.com',
      email_verified: true,
      name: 'Nat',
      phone_number: '5550133',
    });
    for (const kind of ['login', 'registration', 'login'] as const) {
      const { initCode, redirectBrowserTo } = await startExchange(kind);
      expect(initCode).not.toBe('');
      // The system browser: a different client, no cookie of the app's.
      const systemBrowser = new BrowserClient(publicUrl);
      const returnToCode = returnToCodeOf(
        await finishInBrowser(systemBrowser, redirectBrowserTo, 'native-at-idp'),
      );
      expect(returnToCode).not.toBe('');
      expect(systemBrowser.cookie('ory_kratos_session')).toBeUndefined();

      // A wrong return-to code gets nothing.
      const wrong = await failure(frontend.exchangeSessionToken({ initCode, returnToCode: 'nope' }));
      expect(wrong.status).toBe(404);

      // The app: both codes for the session and its token, once, however many requests race. (These
      // interleave only by chance; the flow store's contract test is the deterministic guard.)
      const attempts = await Promise.allSettled(
        [1, 2, 3].map(() => frontend.exchangeSessionToken({ initCode, returnToCode })),
      );
      const won = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value.data] : []));
      expect(won).toHaveLength(1);
      const [exchanged] = won;
      if (exchanged === undefined) throw new Error('no exchange answered');
      expect(exchanged.session.identity?.traits.email).toBe('native-browser@example.com');
      const { data: me } = await frontend.toSession({ xSessionToken: exchanged.session_token });
      expect(me.id).toBe(exchanged.session.id);
      const again = await failure(frontend.exchangeSessionToken({ initCode, returnToCode }));
      expect(again.status).toBe(404);
    }
  });

  it('keeps nothing for a later post when an exchange sign-up lacks traits, and asks for return_to', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    // Whoever starts the exchange holds the flow id; the person in the browser may be someone else.
    const { flowId, redirectBrowserTo } = await startExchange('registration');
    provider.accounts.set('victim-no-phone', { email: 'victim@example.com', name: 'Vic' });
    const landed = await finishInBrowser(new BrowserClient(publicUrl), redirectBrowserTo, 'victim-no-phone');
    expect(landed.status).toBe(400);
    // The flow's holder completing the traits gets no session from the victim's provider account.
    const completed = await failure<{ session_token?: string }>(
      frontend.updateRegistrationFlow({
        flow: flowId,
        updateRegistrationFlowBody: {
          method: 'oidc',
          provider: 'exam-idp',
          traits: {
            email: 'attacker@example.com',
            fullname: 'Mallory',
            phone_number: 5550199,
            user_type: 'student',
          },
        },
      }),
    );
    // No provider account waits on the flow: the post starts a new round trip, and signs no one in.
    expect(completed.status).toBe(422);
    expect(completed.body.session_token).toBeUndefined();

    // Without the app's link, Kratos still hands out the init code (the code then reaches the
    // default return URL, useless without it).
    for (const call of [
      () => frontend.createNativeLoginFlow({ returnSessionTokenExchangeCode: true }),
      () => frontend.createNativeRegistrationFlow({ returnSessionTokenExchangeCode: true }),
    ]) {
      const { data } = await call();
      expect(typeof data.session_token_exchange_code).toBe('string');
    }
  });

  it("ignores the system browser's own session: the app gets a session of its own", async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    provider.accounts.set('shared-at-idp', {
      email: 'shared@example.com',
      email_verified: true,
      name: 'Sam',
      phone_number: '5550144',
    });
    const systemBrowser = new BrowserClient(publicUrl);
    expect((await roundTrip(systemBrowser, 'registration', 'shared-at-idp')).status).toBe(303);
    const sessionIdOf = async () =>
      (await (await systemBrowser.getJson('/sessions/whoami')).json()) as {
        id: string;
        authenticated_at: string;
      };
    const before = await sessionIdOf();

    const { initCode, redirectBrowserTo } = await startExchange('login');
    const returnToCode = returnToCodeOf(
      await finishInBrowser(systemBrowser, redirectBrowserTo, 'shared-at-idp'),
    );
    const { data: exchanged } = await frontend.exchangeSessionToken({ initCode, returnToCode });
    expect(exchanged.session.identity?.traits.email).toBe('shared@example.com');
    // The browser's own session is neither the one handed out nor touched.
    const after = await sessionIdOf();
    expect(after).toEqual(before);
    expect(exchanged.session.id).not.toBe(before.id);

    // A refresh of the app's own session is an ordinary refresh flow: no exchange code, as Kratos
    // creates one only when there is no session.
    const { data: refresh } = await frontend.createNativeLoginFlow({
      refresh: true,
      returnSessionTokenExchangeCode: true,
      returnTo: 'myapp://signed-in',
      xSessionToken: exchanged.session_token,
    });
    expect(refresh.refresh).toBe(true);
    expect(refresh.session_token_exchange_code).toBeUndefined();

    // A session ended between the callback and the exchange is not handed out (410).
    const second = await startExchange('login');
    const code = returnToCodeOf(
      await finishInBrowser(systemBrowser, second.redirectBrowserTo, 'shared-at-idp'),
    );
    const identityId = exchanged.session.identity?.id ?? '';
    const listed = await fetch(`${server.adminUrl}/admin/identities/${identityId}/sessions?active=true`);
    for (const session of (await listed.json()) as { id: string }[]) {
      if (session.id !== exchanged.session.id) {
        await fetch(`${server.adminUrl}/admin/sessions/${session.id}`, { method: 'DELETE' });
      }
    }
    const ended = await failure(
      frontend.exchangeSessionToken({ initCode: second.initCode, returnToCode: code }),
    );
    expect(ended.status).toBe(410);
  });

  it('refuses the system browser round trip to an api flow that asked for no exchange', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    const { data: flow } = await frontend.createNativeLoginFlow();
    expect(flow.session_token_exchange_code).toBeUndefined();
    const refused = await failure(
      frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'oidc', provider: 'exam-idp' },
      }),
    );
    expect(refused.status).toBe(400);
  });

  it('shows a "Sign in with" / "Sign up with" button per provider (1010002, 1040002)', async () => {
    const browser = new BrowserClient(publicUrl);
    const login = await startFlow(browser, 'login');
    const buttons = login.ui.nodes.filter((n) => n.group === 'oidc');
    expect(
      buttons.map((n) => [n.attributes.name, n.attributes.value, n.meta.label?.id, n.meta.label?.text]),
    ).toEqual([
      ['provider', 'exam-idp', 1010002, 'Sign in with Exam IdP'],
      ['provider', 'broken-idp', 1010002, 'Sign in with Broken IdP'],
    ]);
    const registration = await startFlow(browser, 'registration');
    expect(registration.ui.nodes.find((n) => n.group === 'oidc')?.meta.label?.text).toBe(
      'Sign up with Exam IdP',
    );
  });

  it('runs the registration before hooks when a provider sign-in becomes a registration, as Kratos', async () => {
    provider.accounts.set('refused-newcomer', {
      email: 'refused-newcomer@example.com',
      email_verified: true,
      name: 'Re Fused',
      phone_number: '5550177',
    });
    const before = hookTarget.to('/before-registration').length;
    // A 4xx: refused at once (a 5xx would be tried three times, as Kratos's resilient client).
    hookTarget.script('/before-registration', [{ status: 403 }]);
    try {
      // From the login page: the subject is unknown, so the login turns into a registration.
      const browser = new BrowserClient(publicUrl);
      const landed = await roundTrip(browser, 'login', 'refused-newcomer');
      expect(landed.status).not.toBe(200);
      expect(hookTarget.to('/before-registration').length).toBe(before + 1);
      const { data: found } = await admin.listIdentities({
        credentialsIdentifier: 'refused-newcomer@example.com',
      });
      expect(found).toEqual([]);
    } finally {
      hookTarget.script('/before-registration', [{ status: 200 }]);
    }
  });

  it('signs a person up through the mapper, out, and in again by (provider, subject)', async () => {
    provider.accounts.set('ada', {
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada Lovelace',
      phone_number: '5550100',
    });
    const browser = new BrowserClient(publicUrl);
    const flow = await startFlow(browser, 'registration');
    const authorization = new URL(await pressProvider(browser, flow, 'exam-idp'));
    // State, nonce and PKCE (the provider supports S256), and our callback.
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('redirect_uri')).toBe(
      `${publicUrl}/self-service/methods/oidc/callback/exam-idp`,
    );
    const callback = await signInAtProvider(browser, authorization.toString(), 'ada');
    const done = await browser.request(callback.toString());
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${publicUrl}/`);

    const session = await whoami(browser);
    expect(session?.identity.traits).toEqual({
      email: 'ada@example.com',
      fullname: 'Ada Lovelace',
      phone_number: 5550100,
      user_type: 'student',
    });
    const id = session?.identity.id ?? '';
    expect(await oidcIdentifiers(id)).toEqual(['exam-idp:ada']);
    // As Kratos, the tokens of the sign-up are kept: include_credential=oidc shows them in the clear
    // (the access token still works at the provider); they are sealed at rest.
    const [account] = await linkedAccounts(id);
    expect(account).toMatchObject({ provider: 'exam-idp', subject: 'ada', initial_refresh_token: '' });
    expect(idTokenSubject(account?.initial_id_token)).toBe('ada');
    expect(await userInfoSubject(account?.initial_access_token)).toBe('ada');
    const atRest = await storedCredentialConfigs(id);
    expect(atRest).toContain('initial_access_token');
    expect(atRest).not.toContain(String(account?.initial_access_token));
    expect(atRest).not.toContain(String(account?.initial_id_token));
    const { data: identity } = await admin.getIdentity({ id });
    expect(identity.credentials?.oidc?.config).toBeUndefined();
    // The provider said email_verified and the mapper passed it on.
    expect(identity.verifiable_addresses?.map((a) => [a.value, a.verified])).toEqual([
      ['ada@example.com', true],
    ]);
    expect(identity.metadata_public).toEqual({ signed_up_with: 'exam-idp' });

    // A replayed callback (same state and code) is refused: the state was used up.
    const replay = await browser.request(callback.toString());
    expect(replay.status).toBe(400);

    await signOut(browser);
    const again = await roundTrip(browser, 'login', 'ada');
    expect(again.status).toBe(303);
    expect((await whoami(browser))?.identity.id).toBe(id);
  });

  it('asks for the traits the claims lack on the registration form, filled with what they gave', async () => {
    provider.accounts.set('bob', { email: 'bob@example.com', name: 'Bob' });
    const browser = new BrowserClient(publicUrl);
    const answer = await roundTrip(browser, 'registration', 'bob');
    expect(answer.status).toBe(303);
    const flowId = new URL(answer.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = await flowJson(browser, 'registration', flowId);
    const byName = (name: string) => flow.ui.nodes.find((n) => n.attributes.name === name);
    expect(byName('traits.email')?.attributes.value).toBe('bob@example.com');
    expect(byName('traits.email')?.group).toBe('oidc');
    expect(byName('traits.phone_number')?.messages.map((m) => m.id)).toEqual([4000002]);
    expect(await whoami(browser)).toBeUndefined();

    const submitted = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      'traits.email': 'bob@example.com',
      'traits.fullname': 'Bob Builder',
      'traits.phone_number': '5550111',
      'traits.user_type': 'educator',
      provider: 'exam-idp',
    });
    expect(submitted.status).toBe(303);
    const session = await whoami(browser);
    expect(session?.identity.traits).toMatchObject({ fullname: 'Bob Builder', phone_number: 5550111 });
    expect(await oidcIdentifiers(session?.identity.id ?? '')).toEqual(['exam-idp:bob']);
    // The tokens waited (sealed) on the flow with the provider account.
    const [account] = await linkedAccounts(session?.identity.id ?? '');
    expect(await userInfoSubject(account?.initial_access_token)).toBe('bob');
  });

  it('shows a failing mapper on the flow and creates nothing', async () => {
    provider.accounts.set('eve', { email: 'eve@example.com', name: 'Eve' });
    const browser = new BrowserClient(publicUrl);
    const answer = await roundTrip(browser, 'registration', 'eve', { providerId: 'broken-idp' });
    expect(answer.status).toBe(303);
    const flowId = new URL(answer.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = await flowJson(browser, 'registration', flowId);
    expect(flow.ui.messages?.map((m) => m.id)).toEqual([4000001]);
    expect(flow.ui.messages?.[0]?.text).toContain('mapper');
    expect(await whoami(browser)).toBeUndefined();
    const { data } = await admin.listIdentities({ credentialsIdentifier: 'eve@example.com' });
    expect(data).toEqual([]);
  });

  it('tells a disabled account so on the login flow (4010011) and signs nobody in', async () => {
    provider.accounts.set('hal', {
      email: 'hal@example.com',
      email_verified: true,
      name: 'Hal',
      phone_number: '5550102',
    });
    const browser = new BrowserClient(publicUrl);
    expect((await roundTrip(browser, 'registration', 'hal')).status).toBe(303);
    const id = (await whoami(browser))?.identity.id ?? '';
    await signOut(browser);
    await admin.patchIdentity({ id, jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }] });

    const answer = await roundTrip(browser, 'login', 'hal');
    expect(answer.status).toBe(303);
    const flowId = new URL(answer.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = await flowJson(browser, 'login', flowId);
    expect(flow.ui.messages?.map((m) => m.id)).toEqual([4010011]);
    expect(await whoami(browser)).toBeUndefined();
  });

  it('refuses a missing or forged state, and a callback from another browser', async () => {
    const browser = new BrowserClient(publicUrl);
    expect((await browser.request('/self-service/methods/oidc/callback/exam-idp?code=abc')).status).toBe(400);
    expect(
      (await browser.request('/self-service/methods/oidc/callback/exam-idp?code=abc&state=forged')).status,
    ).toBe(400);

    provider.accounts.set('mallory', { email: 'mallory@example.com', name: 'Mallory', phone_number: '1' });
    const flow = await startFlow(browser, 'login');
    const callback = await signInAtProvider(
      browser,
      await pressProvider(browser, flow, 'exam-idp'),
      'mallory',
    );
    // The victim's browser has no continuity cookie for this state.
    const victim = new BrowserClient(publicUrl);
    expect((await victim.request(callback.toString())).status).toBe(400);
    expect(await whoami(victim)).toBeUndefined();
  });

  it('refuses an ID token made for another nonce, and a response from another issuer', async () => {
    provider.accounts.set('trudy', { email: 'trudy@example.com', name: 'Trudy', phone_number: '2' });
    const browser = new BrowserClient(publicUrl);
    const wrongNonce = await roundTrip(browser, 'login', 'trudy', {
      tamper: {
        authorization: (url) => {
          const changed = new URL(url);
          changed.searchParams.set('nonce', 'a-nonce-we-never-issued');
          return changed.toString();
        },
      },
    });
    expect(wrongNonce.status).toBe(303);
    const nonceFlow = new URL(wrongNonce.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    expect((await flowJson(browser, 'login', nonceFlow)).ui.messages?.map((m) => m.id)).toEqual([4000001]);
    expect(await whoami(browser)).toBeUndefined();

    const wrongIssuer = await roundTrip(browser, 'login', 'trudy', {
      tamper: {
        callback: (url) => {
          const changed = new URL(url);
          changed.searchParams.set('iss', 'http://127.0.0.1:1/evil');
          return changed;
        },
      },
    });
    expect(wrongIssuer.status).toBe(303);
    const issuerFlow = new URL(wrongIssuer.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    expect((await flowJson(browser, 'login', issuerFlow)).ui.messages?.map((m) => m.id)).toEqual([4000001]);
    expect(await whoami(browser)).toBeUndefined();
  });

  it("refuses an ID token not signed by the provider's published keys", async () => {
    provider.accounts.set('mallory', { email: 'mallory@example.com', name: 'Mallory', phone_number: '3' });
    // The token endpoint's ID token, same claims, signed again by a key the provider does not
    // publish (under the provider's own kid): what a tampered or impersonated endpoint gives.
    const { privateKey } = await generateKeyPair('RS256');
    provider.tamperTokenResponse = async (body) => {
      const token = String(body.id_token);
      const header = decodeProtectedHeader(token);
      const forged = await new SignJWT(decodeJwt(token))
        .setProtectedHeader({ alg: 'RS256', ...(header.kid ? { kid: header.kid } : {}) })
        .sign(privateKey);
      return { ...body, id_token: forged };
    };
    try {
      const browser = new BrowserClient(publicUrl);
      const forged = await roundTrip(browser, 'registration', 'mallory');
      expect(forged.status).toBe(303);
      const flowId = new URL(forged.headers.get('location') ?? '').searchParams.get('flow') ?? '';
      expect((await flowJson(browser, 'registration', flowId)).ui.messages?.map((m) => m.id)).toEqual([
        4000001,
      ]);
      expect(await whoami(browser)).toBeUndefined();
      const { data } = await admin.listIdentities({ credentialsIdentifier: 'mallory@example.com' });
      expect(data).toEqual([]);
    } finally {
      provider.tamperTokenResponse = undefined;
    }
  });

  it('asks the provider to sign the person in again (prompt=login) for a refresh, as Kratos', async () => {
    provider.accounts.set('rene', { email: 'rene@example.com', name: 'René', phone_number: '4' });
    const browser = new BrowserClient(publicUrl);
    const signedUp = await roundTrip(browser, 'registration', 'rene');
    expect(signedUp.status).toBe(303);
    expect(await whoami(browser)).toBeDefined();

    const init = await browser.request('/self-service/login/browser?refresh=true');
    expect(init.status).toBe(303);
    const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const refresh = await flowJson(browser, 'login', id);
    const forced = new URL(await pressProvider(browser, refresh, 'exam-idp'));
    // A provider session would otherwise answer at once: no one re-authenticated.
    expect(forced.searchParams.get('prompt')).toBe('login');

    const other = new BrowserClient(publicUrl);
    const plain = new URL(await pressProvider(other, await startFlow(other, 'login'), 'exam-idp'));
    expect(plain.searchParams.get('prompt')).toBeNull();
  });

  it('links a provider to an existing password account only after its password sign-in (1010016)', async () => {
    const password = 'carol has a long passphrase';
    const { data: carol } = await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: {
          email: 'carol@example.com',
          fullname: 'Carol',
          phone_number: 5550122,
          user_type: 'student',
        },
        credentials: { password: { config: { password } } },
      },
    });
    provider.accounts.set('carol-at-idp', {
      email: 'carol@example.com',
      email_verified: true,
      name: 'Carol',
      phone_number: '5550122',
    });
    const browser = new BrowserClient(publicUrl);
    const answer = await roundTrip(browser, 'login', 'carol-at-idp');
    expect(answer.status).toBe(303);
    expect(await whoami(browser)).toBeUndefined();
    expect(await oidcIdentifiers(carol.id)).toEqual([]);
    const flowId = new URL(answer.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = await flowJson(browser, 'login', flowId);
    expect(flow.ui.messages?.map((m) => m.id)).toEqual([1010016]);
    expect(flow.ui.messages?.[0]?.context).toMatchObject({
      duplicate_identifier: 'carol@example.com',
      provider: 'Exam IdP',
      available_credential_types: ['password'],
    });

    // A wrong password links nothing.
    const wrong = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      identifier: 'carol@example.com',
      password: 'not the passphrase',
      method: 'password',
    });
    expect(wrong.status).toBe(303);
    expect(await oidcIdentifiers(carol.id)).toEqual([]);

    const retry = await flowJson(browser, 'login', flowId);
    const signedIn = await browser.postForm(retry.ui.action, {
      csrf_token: csrfTokenOf(retry),
      identifier: 'carol@example.com',
      password,
      method: 'password',
    });
    expect(signedIn.status).toBe(303);
    expect((await whoami(browser))?.identity.id).toBe(carol.id);
    expect(await oidcIdentifiers(carol.id)).toEqual(['exam-idp:carol-at-idp']);
    // The tokens of the sign-in that asked to link came along with the account.
    const [account] = await linkedAccounts(carol.id);
    expect(await userInfoSubject(account?.initial_access_token)).toBe('carol-at-idp');

    // From now on the provider signs Carol in directly.
    await signOut(browser);
    expect((await roundTrip(browser, 'login', 'carol-at-idp')).status).toBe(303);
    expect((await whoami(browser))?.identity.id).toBe(carol.id);
  });

  it('unlinks and links a provider in settings, never the last way to sign in', async () => {
    provider.accounts.set('dave', { email: 'dave@example.com', name: 'Dave', phone_number: '5550133' });
    const browser = new BrowserClient(publicUrl);
    expect((await roundTrip(browser, 'registration', 'dave')).status).toBe(303);
    const id = (await whoami(browser))?.identity.id ?? '';

    const settings = async (): Promise<FlowJson> => {
      const init = await browser.getJson('/self-service/settings/browser');
      expect(init.status).toBe(200);
      return (await init.json()) as FlowJson;
    };
    const oidcButtons = (flow: FlowJson) =>
      flow.ui.nodes
        .filter((n) => n.group === 'oidc')
        .map((n) => [n.attributes.name, n.attributes.value, n.meta.label?.id]);
    // Dave has no password: the provider is his only way in, so there is no unlink button.
    let flow = await settings();
    expect(oidcButtons(flow)).toEqual([['link', 'broken-idp', 1050002]]);
    const refused = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      unlink: 'exam-idp',
    });
    expect(refused.status).toBe(400);
    expect(await oidcIdentifiers(id)).toEqual(['exam-idp:dave']);

    // With a password as well, unlinking is allowed, and linking sends the browser to the provider.
    flow = await settings();
    const withPassword = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'password',
      password: 'dave picks a long passphrase',
    });
    expect(withPassword.status).toBe(200);
    flow = await settings();
    expect(oidcButtons(flow)).toEqual([
      ['unlink', 'exam-idp', 1050003],
      ['link', 'broken-idp', 1050002],
    ]);
    const unlinked = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      unlink: 'exam-idp',
    });
    expect(unlinked.status).toBe(200);
    expect(await oidcIdentifiers(id)).toEqual([]);

    flow = await settings();
    const link = await browser.postForm(flow.ui.action, { csrf_token: csrfTokenOf(flow), link: 'exam-idp' });
    expect(link.status).toBe(303);
    const callback = await signInAtProvider(browser, link.headers.get('location') ?? '', 'dave');
    const linked = await browser.request(callback.toString());
    expect(linked.status).toBe(303);
    expect(await oidcIdentifiers(id)).toEqual(['exam-idp:dave']);
    const [account] = await linkedAccounts(id);
    expect(idTokenSubject(account?.initial_id_token)).toBe('dave');

    // Linking a second provider, unlinking it, and an admin re-listing the first: each rewrites
    // the oidc credential, and the first account keeps the tokens it was linked with.
    flow = await settings();
    const second = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      link: 'broken-idp',
    });
    const secondCallback = await signInAtProvider(browser, second.headers.get('location') ?? '', 'dave');
    expect((await browser.request(secondCallback.toString())).status).toBe(303);
    const both = await linkedAccounts(id);
    expect(both.map((a) => a.provider)).toEqual(['exam-idp', 'broken-idp']);
    expect(both[0]).toEqual(account);
    expect(await userInfoSubject(both[1]?.initial_access_token)).toBe('dave');
    flow = await settings();
    const dropped = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      unlink: 'broken-idp',
    });
    expect(dropped.status).toBe(200);
    expect(await linkedAccounts(id)).toEqual([account]);
    const { data: current } = await admin.getIdentity({ id });
    await admin.updateIdentity({
      id,
      updateIdentityBody: {
        schema_id: current.schema_id,
        traits: current.traits,
        state: 'active',
        credentials: { oidc: { config: { providers: [{ provider: 'exam-idp', subject: 'dave' }] } } },
      },
    });
    expect(await linkedAccounts(id)).toEqual([account]);
  });

  it('re-checks the privileged session at the callback: a lapsed one re-authenticates and links nothing', async () => {
    provider.accounts.set('erin', { email: 'erin@example.com', name: 'Erin', phone_number: '5550155' });
    const browser = new BrowserClient(publicUrl);
    expect((await roundTrip(browser, 'registration', 'erin')).status).toBe(303);
    const id = (await whoami(browser))?.identity.id ?? '';
    const flow = (await (await browser.getJson('/self-service/settings/browser')).json()) as FlowJson;
    // Privileged when the link starts: the browser is sent to the provider.
    const link = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      link: 'broken-idp',
    });
    expect(link.status).toBe(303);
    const callback = await signInAtProvider(browser, link.headers.get('location') ?? '', 'erin');
    // The session lapses while the person is at the provider (Kratos's linkProvider checks again).
    await ageSessions(server, id);
    const answer = await browser.request(callback.toString());
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${publicUrl}/self-service/login/browser`);
    expect(location.searchParams.get('refresh')).toBe('true');
    expect(location.searchParams.get('return_to')).toBe(`${publicUrl}/self-service/settings?flow=${flow.id}`);
    expect(await oidcIdentifiers(id)).toEqual(['exam-idp:erin']);
  });

  it('unlink asks for a privileged session first; link and unlink together are refused, as Kratos', async () => {
    provider.accounts.set('frank', { email: 'frank@example.com', name: 'Frank', phone_number: '5550166' });
    const browser = new BrowserClient(publicUrl);
    expect((await roundTrip(browser, 'registration', 'frank')).status).toBe(303);
    const id = (await whoami(browser))?.identity.id ?? '';
    const settings = async (): Promise<FlowJson> =>
      (await (await browser.getJson('/self-service/settings/browser')).json()) as FlowJson;

    let flow = await settings();
    const both = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      link: 'broken-idp',
      unlink: 'exam-idp',
    });
    expect(both.status).toBe(400);
    expect(((await both.json()) as FlowJson).ui.messages?.map((m) => [m.id, m.text])).toEqual([
      [4000001, 'it is not possible to link and unlink providers in the same request'],
    ]);

    // With an old session, even a provider that is not linked (or the last way to sign in) is
    // answered with the re-authentication first.
    await ageSessions(server, id);
    flow = await settings();
    for (const unlink of ['broken-idp', 'exam-idp']) {
      const refused = await browser.postJson(flow.ui.action, {
        csrf_token: csrfTokenOf(flow),
        method: 'oidc',
        unlink,
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { id: string } }).error.id).toBe('session_refresh_required');
    }
    expect(await oidcIdentifiers(id)).toEqual(['exam-idp:frank']);
  });

  it('shows link and unlink buttons to browser flows only: native flows have no oidc nodes, as Kratos', async () => {
    const password = 'grace has a long passphrase';
    await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: {
          email: 'grace@example.com',
          fullname: 'Grace',
          phone_number: 5550177,
          user_type: 'student',
        },
        credentials: { password: { config: { password } } },
      },
    });
    const frontend = new FrontendApi(new Configuration({ basePath: publicUrl }));
    const { data: login } = await frontend.createNativeLoginFlow();
    const { data: signedIn } = await frontend.updateLoginFlow({
      flow: login.id,
      updateLoginFlowBody: { method: 'password', identifier: 'grace@example.com', password },
    });
    const token = signedIn.session_token ?? '';
    const { data: flow } = await frontend.createNativeSettingsFlow({ xSessionToken: token });
    expect(flow.ui.nodes.filter((n) => n.group === 'oidc')).toEqual([]);
    // Nor when the form is shown again after a refusal, or after a save.
    const refused = await failure<{ ui: { nodes: { group: string }[] } }>(
      frontend.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'profile', traits: { email: 'grace@example.com' } },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.ui.nodes.filter((n) => n.group === 'oidc')).toEqual([]);
    const { data: saved } = await frontend.updateSettingsFlow({
      flow: flow.id,
      xSessionToken: token,
      updateSettingsFlowBody: {
        method: 'profile',
        traits: {
          email: 'grace@example.com',
          fullname: 'Grace H',
          phone_number: 5550177,
          user_type: 'student',
        },
      },
    });
    expect(saved.ui.nodes.filter((n) => n.group === 'oidc')).toEqual([]);
    // A browser flow of the same identity offers both providers.
    const browser = new BrowserClient(publicUrl);
    const browserLogin = await startFlow(browser, 'login');
    const browserSignIn = await browser.postForm(browserLogin.ui.action, {
      csrf_token: csrfTokenOf(browserLogin),
      identifier: 'grace@example.com',
      password,
      method: 'password',
    });
    expect(browserSignIn.status).toBe(303);
    const browserFlow = (await (await browser.getJson('/self-service/settings/browser')).json()) as FlowJson;
    expect(browserFlow.ui.nodes.filter((n) => n.group === 'oidc').map((n) => n.attributes.value)).toEqual([
      'exam-idp',
      'broken-idp',
    ]);
  });

  it('answers an SPA with 422 browser_location_change_required', async () => {
    const browser = new BrowserClient(publicUrl);
    const flow = await startFlow(browser, 'login');
    const response = await browser.postJson(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      provider: 'exam-idp',
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { id: string }; redirect_browser_to: string };
    expect(body.error.id).toBe('browser_location_change_required');
    expect(body.redirect_browser_to.startsWith(provider.issuer)).toBe(true);
  });
});
