/**
 * Registration as Ory Hydra's login UI (`oauth2_provider`), against a real Portcullis and a real
 * HTTP stand-in for Hydra's admin API: a registration whose `session` hook signs the person in
 * accepts Hydra's login request (303 for a browser, `continue_with` for an SPA, never for a
 * native app), and a signed-in browser is accepted at once or sent to the login init.
 */
import type { RegistrationFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { hydraRedirectFor } from './support/hydra-admin.js';
import {
  APP,
  authorizeUrl,
  expectChallengeRefusedWithoutProvider,
  passwordLoginUiConfig,
  startBrowserFlow,
  useHydraStandIn,
} from './support/hydra-login-ui.js';
import { examTraits, PASSWORD } from './support/identities.js';
import { useTestServer } from './support/suite-server.js';

type OAuth2Flow = RegistrationFlow & { return_to?: string; oauth2_login_challenge?: string };
interface Registered {
  identity: { id: string };
  session: { id: string };
  continue_with?: { action: string; redirect_browser_to?: string }[];
}

const hydra = useHydraStandIn('registration-challenge');

describe('registration as Ory Hydra login UI', () => {
  const suite = useTestServer(undefined, () => ({
    extraConfig: passwordLoginUiConfig(hydra.standIn, {
      flows: {
        registration: {
          ui_url: `${APP}/registration`,
          after: { password: { hooks: [{ hook: 'session' }] } },
        },
      },
    }),
  }));

  let count = 0;
  const email = () => `hydra-registration-${++count}@example.com`;

  it('sends a browser back to Hydra once the session hook signed the new identity in', async () => {
    const challenge = hydra.challenge();
    const browser = new BrowserClient(suite.server.publicUrl);
    const flow = await startBrowserFlow<OAuth2Flow>(browser, 'registration', challenge);
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
    expect(hydra.acceptsOn(challenge).map((call) => call.body)).toEqual([
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
    const challenge = hydra.challenge();
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
    expect(hydra.acceptsOn(challenge).map((call) => call.body)).toEqual([
      expect.objectContaining({
        subject: registered.identity.id,
        identity_provider_session_id: registered.session.id,
      }),
    ]);

    const native = hydra.challenge();
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
    expect(hydra.callsOn(native)).toEqual([]);
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

    const remembered = hydra.challenge({ skip: true, subject: signedUp.identity.id });
    const skipped = await browser.request(
      `/self-service/registration/browser?login_challenge=${remembered}`,
      {
        headers: { accept: 'text/html' },
      },
    );
    expect(skipped.status).toBe(303);
    expect(skipped.headers.get('location')).toBe(hydraRedirectFor(remembered));
    expect(hydra.acceptsOn(remembered).map((call) => call.body)).toEqual([
      expect.objectContaining({
        subject: signedUp.identity.id,
        identity_provider_session_id: signedUp.session.id,
      }),
    ]);

    const again = hydra.challenge();
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
    await expectChallengeRefusedWithoutProvider(suite.server.publicUrl, [
      '/self-service/registration/browser',
      '/self-service/registration/api',
    ]);
  });
});
