/**
 * A provider sign-in's `transient_payload` reaches the flow's web hooks as
 * `ctx.flow.transient_payload`, as Kratos puts it back on the flow at the callback: sent with the
 * press of a provider's button (browser flows, through the whole provider round trip), or with a
 * native app's ID token; and carried over when a sign-in becomes a registration. A callback gets
 * only what its own redirect carried. Real Portcullis, a real provider (`oidc-provider`) and a
 * real HTTP server as the hook target.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examIdpConfig, startExamIdp } from './fixtures/oidc-exam-idp.js';
import { idTokenProviderConfig, type KeyIssuer, startKeyIssuer } from './fixtures/oidc-key-issuer.js';
import { signInAtProvider, type TestOpenIdProvider } from './fixtures/oidc-provider.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const NATIVE_CLIENT_ID = 'native-app';
/** What the hooks post: whom the flow is for, and the payload as the flow carries it. */
const HOOK_BODY = `function(ctx) {
  email: ctx.identity.traits.email,
  payload: if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload else null,
}`;
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

interface FlowJson {
  id: string;
  ui: { action: string; nodes: { attributes: object }[] };
}

interface HookCall {
  email: string;
  payload: unknown;
}

describe.each(testDatabases())(
  "a provider sign-in's transient payload reaches the web hooks ($name)",
  (database) => {
    let server: TestServer;
    let provider: TestOpenIdProvider;
    let keys: KeyIssuer;
    let hooks: HttpReceiver;
    let drop: () => Promise<void>;
    let publicUrl: string;

    beforeAll(async () => {
      hooks = await startHttpReceiver();
      keys = await startKeyIssuer(NATIVE_CLIENT_ID);
      const idp = await startExamIdp();
      ({ provider, publicUrl } = idp);
      const db = await database.create();
      drop = db.drop;
      const webHook = (path: string) => ({
        hook: 'web_hook',
        config: { url: `${hooks.url}${path}`, method: 'POST', body: base64(HOOK_BODY) },
      });
      server = await startTestServer({
        dsn: db.dsn,
        publicListener: { port: idp.port, base_url: `${publicUrl}/` },
        extraConfig: {
          selfservice: {
            default_browser_return_url: `${publicUrl}/`,
            flows: {
              registration: { after: { oidc: { hooks: [webHook('/registration'), { hook: 'session' }] } } },
              login: { after: { oidc: { hooks: [webHook('/login')] } } },
            },
            methods: {
              oidc: {
                enabled: true,
                config: {
                  providers: [examIdpConfig(provider), idTokenProviderConfig(keys)],
                },
              },
            },
          },
        },
      });
    });
    afterAll(async () => {
      await server?.close();
      await provider?.close();
      await keys?.close();
      await hooks?.stop();
      await drop?.();
    });

    /** The last call the hook at `path` got about `email`. */
    function lastCall(path: string, email: string): HookCall | undefined {
      return hooks
        .to(path)
        .map((r) => JSON.parse(r.body) as HookCall)
        .filter((c) => c.email === email)
        .at(-1);
    }

    function addAccount(login: string): string {
      const email = `${login}@example.com`;
      provider.accounts.set(login, { email, email_verified: true, name: login, phone_number: '5550100' });
      return email;
    }

    async function startFlow(browser: BrowserClient, kind: 'login' | 'registration'): Promise<FlowJson> {
      const init = await browser.request(`/self-service/${kind}/browser`);
      expect(init.status).toBe(303);
      const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
      const flow = await browser.getJson(`/self-service/${kind}/flows?id=${id}`);
      expect(flow.status).toBe(200);
      return (await flow.json()) as FlowJson;
    }

    /** Presses the provider's button as an SPA does (JSON); returns where the browser is sent. */
    async function press(browser: BrowserClient, flow: FlowJson, payload?: object): Promise<string> {
      const pressed = await browser.postJson(flow.ui.action, {
        csrf_token: csrfTokenOf(flow),
        method: 'oidc',
        provider: 'exam-idp',
        ...(payload === undefined ? {} : { transient_payload: payload }),
      });
      expect(pressed.status).toBe(422);
      return ((await pressed.json()) as { redirect_browser_to: string }).redirect_browser_to;
    }

    /** Signs `login` in at the provider and follows the provider's redirect to the callback. */
    async function complete(browser: BrowserClient, authorization: string, login: string): Promise<void> {
      const callback = await signInAtProvider(browser, authorization, login);
      const landed = await browser.request(callback.toString());
      expect(landed.status).toBe(303);
      expect(landed.headers.get('location')).toBe(`${publicUrl}/`);
    }

    it("carries a browser sign-up's payload through the provider to the registration hooks", async () => {
      const login = `signup-${randomUUID()}`;
      const email = addAccount(login);
      const browser = new BrowserClient(publicUrl);
      const flow = await startFlow(browser, 'registration');
      await complete(browser, await press(browser, flow, { campaign: 'spring' }), login);
      expect(lastCall('/registration', email)).toEqual({ email, payload: { campaign: 'spring' } });
    });

    it("carries a sign-in's payload to the login hooks, and to the registration one a new subject becomes", async () => {
      const login = `known-${randomUUID()}`;
      const email = addAccount(login);
      const signUp = new BrowserClient(publicUrl);
      await complete(signUp, await press(signUp, await startFlow(signUp, 'registration')), login);

      const browser = new BrowserClient(publicUrl);
      await complete(
        browser,
        await press(browser, await startFlow(browser, 'login'), { campaign: 'summer' }),
        login,
      );
      expect(lastCall('/login', email)).toEqual({ email, payload: { campaign: 'summer' } });

      // Nobody has this subject yet: the sign-in becomes a registration, and the payload goes along.
      const newcomer = `newcomer-${randomUUID()}`;
      const newEmail = addAccount(newcomer);
      const other = new BrowserClient(publicUrl);
      await complete(
        other,
        await press(other, await startFlow(other, 'login'), { campaign: 'autumn' }),
        newcomer,
      );
      expect(lastCall('/registration', newEmail)).toEqual({
        email: newEmail,
        payload: { campaign: 'autumn' },
      });
    });

    it('gives a callback only the payload its own redirect carried', async () => {
      const login = `twice-${randomUUID()}`;
      const email = addAccount(login);
      const signUp = new BrowserClient(publicUrl);
      await complete(signUp, await press(signUp, await startFlow(signUp, 'registration')), login);

      const browser = new BrowserClient(publicUrl);
      const flow = await startFlow(browser, 'login');
      await press(browser, flow, { campaign: 'abandoned' });
      // Pressed again, this time without a payload: that redirect is the one completed.
      await complete(browser, await press(browser, flow), login);
      expect(lastCall('/login', email)).toEqual({ email, payload: null });
    });

    describe('native apps signing in with an ID token', () => {
      async function submit(kind: 'login' | 'registration', sub: string, payload: object) {
        const flow = (await (await fetch(`${server.publicUrl}/self-service/${kind}/api`)).json()) as {
          id: string;
        };
        const nonce = randomUUID();
        const claims: JWTPayload = {
          sub,
          nonce,
          email: `${sub}@example.com`,
          email_verified: true,
          name: sub,
          phone_number: '5550100',
        };
        const response = await fetch(`${server.publicUrl}/self-service/${kind}?flow=${flow.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            method: 'oidc',
            provider: 'native-idp',
            id_token: await keys.sign(claims),
            id_token_nonce: nonce,
            transient_payload: payload,
          }),
        });
        expect(response.status).toBe(200);
      }

      it('hands the payload to the registration and login hooks, also when a sign-in becomes a registration', async () => {
        const sub = `native-${randomUUID()}`;
        const email = `${sub}@example.com`;
        await submit('registration', sub, { device: 'ios' });
        expect(lastCall('/registration', email)).toEqual({ email, payload: { device: 'ios' } });
        await submit('login', sub, { device: 'android' });
        expect(lastCall('/login', email)).toEqual({ email, payload: { device: 'android' } });

        const newcomer = `native-new-${randomUUID()}`;
        await submit('login', newcomer, { device: 'tablet' });
        expect(lastCall('/registration', `${newcomer}@example.com`)).toEqual({
          email: `${newcomer}@example.com`,
          payload: { device: 'tablet' },
        });
      });
    });
  },
);
