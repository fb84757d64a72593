/**
 * Registration as Ory Hydra's login UI (`oauth2_provider`), against a real Portcullis and a real
 * HTTP stand-in for Hydra's admin API: a registration whose `session` hook signs the person in
 * accepts Hydra's login request (303 for a browser, `continue_with` for an SPA, never for a
 * native app), and a signed-in browser is accepted at once or sent to the login init.
 */
import type { RegistrationFlow } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { type HydraStandIn, hydraRedirectFor, startHydraStandIn } from './support/hydra-admin.js';
import { examTraits, PASSWORD } from './support/identities.js';
import { need, useTestServer } from './support/suite-server.js';

const APP = 'http://app.example.test';
const HYDRA_PUBLIC = 'http://hydra.example.test';

type OAuth2Flow = RegistrationFlow & { return_to?: string; oauth2_login_challenge?: string };
interface Registered {
  identity: { id: string };
  session: { id: string };
  continue_with?: { action: string; redirect_browser_to?: string }[];
}

let hydraStandIn: HydraStandIn | undefined;
const hydra = () => need(hydraStandIn, 'Hydra stand-in');
beforeAll(async () => {
  hydraStandIn = await startHydraStandIn();
});
afterAll(async () => {
  await hydraStandIn?.close();
});

const authorizeUrl = (challenge: string) => `${HYDRA_PUBLIC}/oauth2/auth?client_id=shop&state=${challenge}`;

describe('registration as Ory Hydra login UI', () => {
  const suite = useTestServer(undefined, () => ({
    extraConfig: {
      selfservice: {
        default_browser_return_url: `${APP}/welcome`,
        allowed_return_urls: [`${APP}/`, `${HYDRA_PUBLIC}/`],
        methods: { password: { enabled: true, config: { haveibeenpwned_enabled: false } } },
        flows: {
          login: { ui_url: `${APP}/login` },
          registration: {
            ui_url: `${APP}/registration`,
            after: { password: { hooks: [{ hook: 'session' }] } },
          },
        },
      },
      oauth2_provider: { url: hydra().url, override_return_to: true },
    },
  }));

  let count = 0;
  function challengeFor(request: { skip?: boolean; subject?: string } = {}): string {
    count += 1;
    const challenge = `registration-challenge-${count}`;
    return hydra().loginRequest(challenge, { request_url: authorizeUrl(challenge), ...request });
  }
  const email = () => `hydra-registration-${++count}@example.com`;
  const acceptsOf = (challenge: string) =>
    hydra()
      .accepts()
      .filter((call) => call.challenge === challenge);

  it('sends a browser back to Hydra once the session hook signed the new identity in', async () => {
    const challenge = challengeFor();
    const browser = new BrowserClient(suite.server.publicUrl);
    const init = await browser.request(`/self-service/registration/browser?login_challenge=${challenge}`, {
      headers: { accept: 'text/html' },
    });
    expect(init.status).toBe(303);
    const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow');
    const flow = (await (
      await browser.getJson(`/self-service/registration/flows?id=${id}`)
    ).json()) as OAuth2Flow;
    expect(flow.oauth2_login_challenge).toBe(challenge);
    expect(flow.oauth2_login_request).toMatchObject({
      challenge,
      skip: false,
      request_url: authorizeUrl(challenge),
    });

    const traits = examTraits(email());
    const done = await browser.postForm(`/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      csrf_token: csrfTokenOf(flow),
      password: PASSWORD,
      'traits.email': traits.email,
      'traits.fullname': traits.fullname,
      'traits.phone_number': String(traits.phone_number),
      'traits.user_type': traits.user_type,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(hydraRedirectFor(challenge));

    const whoami = (await (await browser.getJson('/sessions/whoami')).json()) as {
      id: string;
      identity: { id: string };
    };
    expect(acceptsOf(challenge).map((call) => call.body)).toEqual([
      {
        subject: whoami.identity.id,
        identity_provider_session_id: whoami.id,
        remember: true,
        remember_for: 86_400,
        amr: ['password'],
      },
    ]);
  });

  it('puts Hydra in an SPA’s continue_with, and never accepts for a native app', async () => {
    const challenge = challengeFor();
    const browser = new BrowserClient(suite.server.publicUrl);
    const init = await browser.getJson(`/self-service/registration/browser?login_challenge=${challenge}`);
    const flow = (await init.json()) as OAuth2Flow;
    expect(flow.oauth2_login_challenge).toBe(challenge);
    const spa = await browser.postJson(`/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      csrf_token: csrfTokenOf(flow),
      password: PASSWORD,
      traits: examTraits(email()),
    });
    expect(spa.status).toBe(200);
    const registered = (await spa.json()) as Registered;
    expect(registered.continue_with).toEqual([
      { action: 'redirect_browser_to', redirect_browser_to: hydraRedirectFor(challenge) },
    ]);
    expect(acceptsOf(challenge).map((call) => call.body)).toEqual([
      expect.objectContaining({
        subject: registered.identity.id,
        identity_provider_session_id: registered.session.id,
      }),
    ]);

    const native = challengeFor();
    const api = await fetch(
      `${suite.server.publicUrl}/self-service/registration/api?login_challenge=${native}`,
    );
    const apiFlow = (await api.json()) as OAuth2Flow;
    expect(apiFlow.oauth2_login_challenge).toBe(native);
    const { data } = await suite.frontend.updateRegistrationFlow({
      flow: apiFlow.id,
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: examTraits(email()) },
    });
    expect(data.session_token).toEqual(expect.any(String));
    expect(hydra().calls.filter((call) => call.challenge === native)).toEqual([]);
  });

  it('accepts a signed-in browser at once when Hydra may skip, else sends it to the login init', async () => {
    const browser = new BrowserClient(suite.server.publicUrl);
    const flow = (await (await browser.getJson('/self-service/registration/browser')).json()) as OAuth2Flow;
    const signedUp = (await (
      await browser.postJson(`/self-service/registration?flow=${flow.id}`, {
        method: 'password',
        csrf_token: csrfTokenOf(flow),
        password: PASSWORD,
        traits: examTraits(email()),
      })
    ).json()) as Registered;

    const remembered = challengeFor({ skip: true, subject: signedUp.identity.id });
    const skipped = await browser.request(
      `/self-service/registration/browser?login_challenge=${remembered}`,
      {
        headers: { accept: 'text/html' },
      },
    );
    expect(skipped.status).toBe(303);
    expect(skipped.headers.get('location')).toBe(hydraRedirectFor(remembered));
    expect(acceptsOf(remembered).map((call) => call.body)).toEqual([
      expect.objectContaining({
        subject: signedUp.identity.id,
        identity_provider_session_id: signedUp.session.id,
      }),
    ]);

    const again = challengeFor();
    const toLogin = await browser.request(`/self-service/registration/browser?login_challenge=${again}`, {
      headers: { accept: 'text/html' },
    });
    expect(toLogin.status).toBe(302);
    const location = new URL(toLogin.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(
      `${suite.server.publicUrl}/self-service/login/browser`,
    );
    expect(Object.fromEntries(location.searchParams)).toEqual({
      login_challenge: again,
      return_to: authorizeUrl(again),
    });
  });
});

describe('registration login_challenge without oauth2_provider.url', () => {
  const suite = useTestServer(undefined, {});

  it('is a misconfiguration (500), as in Kratos', async () => {
    for (const path of ['/self-service/registration/browser', '/self-service/registration/api']) {
      const answer = await fetch(`${suite.server.publicUrl}${path}?login_challenge=abc`, {
        headers: { accept: 'application/json' },
      });
      expect(answer.status, path).toBe(500);
      expect(await answer.json(), path).toMatchObject({
        error: {
          code: 500,
          reason:
            'refusing to parse login_challenge query parameter because oauth2_provider.url is invalid or unset',
        },
      });
    }
  });
});
