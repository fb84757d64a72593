/**
 * Portcullis as Ory Hydra's login UI when the person signs in with an OpenID provider: the login
 * flow serving Hydra's challenge is accepted at Hydra once the provider's callback signed the
 * person in, and the browser goes to Hydra's `redirect_to`. A subject nobody has yet turns the
 * login into a registration; that registration serves the same challenge (Kratos copies
 * OAuth2LoginChallenge across the switch), so Hydra learns the new identity as its subject.
 * Real Portcullis, a real provider (`oidc-provider`) and a real HTTP stand-in for Hydra.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAtProvider, startOpenIdProvider, type TestOpenIdProvider } from './fixtures/oidc-provider.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { type HydraStandIn, hydraRedirectFor, startHydraStandIn } from './support/hydra-admin.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

const MAPPER_URL = pathToFileURL(
  join(import.meta.dirname, 'fixtures', 'oidc-exam.mapper.jsonnet'),
).toString();
const HYDRA_PUBLIC = 'http://hydra.example.test';
const authorizeUrl = (challenge: string) => `${HYDRA_PUBLIC}/oauth2/auth?client_id=shop&state=${challenge}`;

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
  let server: TestServer;
  let provider: TestOpenIdProvider;
  let hydra: HydraStandIn;
  let publicUrl: string;

  beforeAll(async () => {
    hydra = await startHydraStandIn();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOpenIdProvider({
      redirectUris: [`${publicUrl}/self-service/methods/oidc/callback/exam-idp`],
    });
    server = await startTestServer({
      dsn: 'memory',
      publicListener: { port, base_url: `${publicUrl}/` },
      extraConfig: {
        selfservice: {
          default_browser_return_url: `${publicUrl}/`,
          allowed_return_urls: [`${HYDRA_PUBLIC}/`],
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: {
            oidc: {
              enabled: true,
              config: {
                providers: [
                  {
                    id: 'exam-idp',
                    provider: 'generic',
                    client_id: provider.clientId,
                    client_secret: provider.clientSecret,
                    issuer_url: provider.issuer,
                    mapper_url: MAPPER_URL,
                    scope: ['openid', 'email', 'profile', 'phone'],
                  },
                ],
              },
            },
          },
        },
        oauth2_provider: { url: hydra.url, override_return_to: true },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
    await hydra?.close();
  });

  function addAccount(prefix: string): { login: string; email: string } {
    const login = `${prefix}-${randomUUID()}`;
    const email = `${login}@example.com`;
    provider.accounts.set(login, { email, email_verified: true, name: login, phone_number: '5550100' });
    return { login, email };
  }

  function challengeFor(prefix: string): string {
    const challenge = `${prefix}-${randomUUID()}`;
    return hydra.loginRequest(challenge, { request_url: authorizeUrl(challenge) });
  }

  /** A browser flow as its UI loads it; a login with `login_challenge` when one is given. */
  async function startFlow(
    browser: BrowserClient,
    kind: 'login' | 'registration',
    challenge?: string,
  ): Promise<FlowJson> {
    const query = challenge === undefined ? '' : `?login_challenge=${challenge}`;
    const init = await browser.request(`/self-service/${kind}/browser${query}`, {
      headers: { accept: 'text/html' },
    });
    expect(init.status).toBe(303);
    const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = await browser.getJson(`/self-service/${kind}/flows?id=${id}`);
    expect(flow.status).toBe(200);
    return (await flow.json()) as FlowJson;
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

  const acceptsOf = (challenge: string) => hydra.accepts().filter((call) => call.challenge === challenge);

  it('accepts the login of a known account at Hydra and sends the browser to Hydra', async () => {
    const { login, email } = addAccount('known');
    const signUp = new BrowserClient(publicUrl);
    const registered = await signInWithProvider(signUp, await startFlow(signUp, 'registration'), login);
    expect(registered.status).toBe(303);
    expect(registered.headers.get('location')).toBe(`${publicUrl}/`);

    const challenge = challengeFor('oidc-login');
    const browser = new BrowserClient(publicUrl);
    const flow = await startFlow(browser, 'login', challenge);
    expect(flow.oauth2_login_challenge).toBe(challenge);
    const landed = await signInWithProvider(browser, flow, login);
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe(hydraRedirectFor(challenge));

    const whoami = (await (await browser.getJson('/sessions/whoami')).json()) as Whoami;
    expect(whoami.identity.traits.email).toBe(email);
    const [accept, ...more] = acceptsOf(challenge);
    expect(more).toEqual([]);
    expect(accept?.body).toMatchObject({
      subject: whoami.identity.id,
      identity_provider_session_id: whoami.id,
      amr: ['oidc'],
    });
  });

  it('accepts at Hydra for the new identity when the login of an unknown subject becomes a registration', async () => {
    const { login, email } = addAccount('newcomer');
    const challenge = challengeFor('oidc-switch');
    const browser = new BrowserClient(publicUrl);
    const flow = await startFlow(browser, 'login', challenge);
    expect(flow.oauth2_login_challenge).toBe(challenge);

    const landed = await signInWithProvider(browser, flow, login);
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe(hydraRedirectFor(challenge));

    const whoami = (await (await browser.getJson('/sessions/whoami')).json()) as Whoami;
    expect(whoami.identity.traits.email).toBe(email);
    const [accept, ...more] = acceptsOf(challenge);
    expect(more).toEqual([]);
    expect(accept?.body).toMatchObject({
      subject: whoami.identity.id,
      identity_provider_session_id: whoami.id,
      amr: ['oidc'],
    });
  });
});
