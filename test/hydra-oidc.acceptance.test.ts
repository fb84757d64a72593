/**
 * Portcullis as Ory Hydra's login UI when the person signs in with an OpenID provider: the login
 * flow serving Hydra's challenge is accepted at Hydra once the provider's callback signed the
 * person in, and the browser goes to Hydra's `redirect_to`. A subject nobody has yet turns the
 * login into a registration; that registration serves the same challenge (Kratos copies
 * OAuth2LoginChallenge across the switch), so Hydra learns the new identity as its subject.
 * Real Portcullis, a real provider (`oidc-provider`) and a real HTTP stand-in for Hydra.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examIdpConfig, startExamIdp } from './fixtures/oidc-exam-idp.js';
import { signInAtProvider, type TestOpenIdProvider } from './fixtures/oidc-provider.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { hydraRedirectFor } from './support/hydra-admin.js';
import { HYDRA_PUBLIC, startBrowserFlow, useHydraStandIn } from './support/hydra-login-ui.js';
import { startTestServer, type TestServer } from './support/server.js';

interface FlowJson {
  id: string;
  oauth2_login_challenge?: string;
  ui: { action: string; nodes: { attributes: object }[] };
}
interface Whoami {
  id: string;
  identity: { id: string; traits: { email: string } };
}

describe('an OpenID provider sign-in serving an Ory Hydra login', () => {
  const hydra = useHydraStandIn('oidc-login');
  let server: TestServer;
  let provider: TestOpenIdProvider;
  let publicUrl: string;

  beforeAll(async () => {
    const idp = await startExamIdp();
    ({ provider, publicUrl } = idp);
    server = await startTestServer({
      dsn: 'memory',
      publicListener: { port: idp.port, base_url: `${publicUrl}/` },
      extraConfig: {
        selfservice: {
          default_browser_return_url: `${publicUrl}/`,
          allowed_return_urls: [`${HYDRA_PUBLIC}/`],
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: { oidc: { enabled: true, config: { providers: [examIdpConfig(provider)] } } },
        },
        oauth2_provider: { url: hydra.standIn.url, override_return_to: true },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
  });

  function addAccount(prefix: string): { login: string; email: string } {
    const login = `${prefix}-${randomUUID()}`;
    const email = `${login}@example.com`;
    provider.accounts.set(login, { email, email_verified: true, name: login, phone_number: '5550100' });
    return { login, email };
  }

  /** Presses the provider's button on the flow's form, signs `login` in there; the callback's answer. */
  async function signInWithProvider(
    browser: BrowserClient,
    flow: FlowJson,
    login: string,
  ): Promise<Response> {
    const pressed = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'oidc',
      provider: 'exam-idp',
    });
    expect(pressed.status).toBe(303);
    const callback = await signInAtProvider(browser, pressed.headers.get('location') ?? '', login);
    return browser.request(callback.toString());
  }

  /**
   * A fresh browser signs `login` in at the provider from a login flow serving a new Hydra
   * challenge: it lands at Hydra's `redirect_to`, signed in as `email`, which Hydra was sent once.
   */
  async function expectAcceptedAtHydra(login: string, email: string): Promise<void> {
    const challenge = hydra.challenge();
    const browser = new BrowserClient(publicUrl);
    const flow = await startBrowserFlow<FlowJson>(browser, 'login', challenge);
    expect(flow.oauth2_login_challenge).toBe(challenge);

    const landed = await signInWithProvider(browser, flow, login);
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe(hydraRedirectFor(challenge));

    const whoami = (await (await browser.getJson('/sessions/whoami')).json()) as Whoami;
    expect(whoami.identity.traits.email).toBe(email);
    const [accept, ...more] = hydra.acceptsOn(challenge);
    expect(more).toEqual([]);
    expect(accept?.body).toMatchObject({
      subject: whoami.identity.id,
      identity_provider_session_id: whoami.id,
      amr: ['oidc'],
    });
  }

  it('accepts the login of a known account at Hydra and sends the browser to Hydra', async () => {
    const { login, email } = addAccount('known');
    const signUp = new BrowserClient(publicUrl);
    const registered = await signInWithProvider(
      signUp,
      await startBrowserFlow<FlowJson>(signUp, 'registration'),
      login,
    );
    expect(registered.status).toBe(303);
    expect(registered.headers.get('location')).toBe(`${publicUrl}/`);

    await expectAcceptedAtHydra(login, email);
  });

  it('accepts at Hydra for the new identity when the login of an unknown subject becomes a registration', async () => {
    const { login, email } = addAccount('newcomer');
    await expectAcceptedAtHydra(login, email);
  });
});
