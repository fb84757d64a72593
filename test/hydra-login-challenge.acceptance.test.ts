/**
 * Portcullis as Ory Hydra's login UI (`oauth2_provider`), against a real Portcullis and a real
 * HTTP stand-in for Hydra's admin API: the login init with `login_challenge` (Hydra's login
 * request on the flow, refresh and return_to as Kratos rewrites them, a remembered person
 * accepted without a form), the accept after a password login for a browser, an SPA and (never)
 * a native app, `oauth2_provider.headers` on every call, and Hydra's errors in Kratos's shape.
 */
import type { LoginFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { postBrowserLogin, postSpaLogin } from './support/browser-login.js';
import { hydraRedirectFor } from './support/hydra-admin.js';
import {
  authorizeUrl,
  expectChallengeRefusedWithoutProvider,
  passwordLoginUiConfig,
  startBrowserFlow,
  useHydraStandIn,
} from './support/hydra-login-ui.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import { useTestServer } from './support/suite-server.js';

const ADMIN_TOKEN = 'Bearer hydra-admin-token';

type OAuth2Flow = LoginFlow & { return_to?: string; oauth2_login_challenge?: string };

const hydra = useHydraStandIn();

describe('login as Ory Hydra login UI', () => {
  const suite = useTestServer(undefined, () => ({
    extraConfig: passwordLoginUiConfig(hydra.standIn, {
      oauth2Provider: { headers: { Authorization: ADMIN_TOKEN } },
    }),
  }));

  let count = 0;
  async function person() {
    count += 1;
    const email = `hydra-login-${count}@example.com`;
    return { email, identity: await createPasswordIdentity(suite.admin, examTraits(email), PASSWORD) };
  }
  const browserFlow = (browser: BrowserClient, challenge: string) =>
    startBrowserFlow<OAuth2Flow>(browser, 'login', challenge);
  /** Posts the password form of `flow` as the browser submits it. */
  const postForm = (browser: BrowserClient, flow: OAuth2Flow, email: string) =>
    postBrowserLogin(browser, { flowId: flow.id, csrfToken: csrfTokenOf(flow) }, email, PASSWORD);

  it('shows Hydra’s login request on a browser flow and sends the browser back to Hydra after the login', async () => {
    const { email, identity } = await person();
    const challenge = hydra.challenge();
    const browser = new BrowserClient(suite.server.publicUrl);
    const flow = await browserFlow(browser, challenge);

    expect(flow.oauth2_login_challenge).toBe(challenge);
    expect(flow.oauth2_login_request).toEqual({
      challenge,
      skip: false,
      subject: '',
      request_url: authorizeUrl(challenge),
      client: { client_id: 'shop', client_name: 'The Shop' },
      requested_scope: ['openid', 'offline'],
      requested_access_token_audience: [],
      oidc_context: {},
      session_id: `hydra-session-${challenge}`,
    });
    // override_return_to: the person comes back to the OAuth2 login from any other flow.
    expect(flow.return_to).toBe(authorizeUrl(challenge));
    // Hydra cannot skip the login: Kratos asks for a refresh (no session here, so none happens).
    expect(flow.refresh).toBe(false);

    const done = await postForm(browser, flow, email);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(hydraRedirectFor(challenge));

    const whoami = (await (await browser.getJson('/sessions/whoami')).json()) as { id: string };
    const [accept, ...more] = hydra.acceptsOn(challenge);
    expect(more).toEqual([]);
    expect(accept?.method).toBe('PUT');
    expect(accept?.body).toEqual({
      subject: identity.id,
      identity_provider_session_id: whoami.id,
      remember: true,
      remember_for: 86_400,
      amr: ['password'],
    });
    // oauth2_provider.headers on every call: the init's, the fetch's and the accept's.
    expect(hydra.callsOn(challenge).map((call) => [call.method, call.headers.authorization])).toEqual([
      ['GET', ADMIN_TOKEN],
      ['GET', ADMIN_TOKEN],
      ['PUT', ADMIN_TOKEN],
    ]);
  });

  it('answers an SPA’s login with 422 browser_location_change_required to Hydra, the session cookie set', async () => {
    const { email } = await person();
    const challenge = hydra.challenge();
    const browser = new BrowserClient(suite.server.publicUrl);
    const init = await browser.getJson(`/self-service/login/browser?login_challenge=${challenge}`);
    expect(init.status).toBe(200);
    const flow = (await init.json()) as OAuth2Flow;
    expect(flow.oauth2_login_challenge).toBe(challenge);
    expect(flow.oauth2_login_request?.challenge).toBe(challenge);

    // A wrong password shows the flow again (400), still serving the challenge, as Kratos's flow.
    const wrong = await postSpaLogin(browser, flow, email, `${PASSWORD}-wrong`);
    expect(wrong.status).toBe(400);
    const shownAgain = (await wrong.json()) as OAuth2Flow;
    expect(shownAgain.ui.messages?.map((m) => m.id)).toEqual([4000006]);
    expect(shownAgain.oauth2_login_challenge).toBe(challenge);
    expect(hydra.callsOn(challenge).filter((call) => call.method === 'PUT')).toEqual([]);

    const done = await postSpaLogin(browser, flow, email, PASSWORD);
    expect(done.status).toBe(422);
    expect(await done.json()).toEqual({
      error: {
        id: 'browser_location_change_required',
        code: 422,
        status: 'Unprocessable Entity',
        reason: `In order to complete this flow please redirect the browser to: ${hydraRedirectFor(challenge)}`,
        message: 'browser location change required',
      },
      redirect_browser_to: hydraRedirectFor(challenge),
    });
    expect((await browser.getJson('/sessions/whoami')).status).toBe(200);
  });

  it('keeps a native flow’s challenge without asking Hydra, and never accepts it', async () => {
    const { email } = await person();
    const challenge = hydra.challenge();
    const init = await fetch(`${suite.server.publicUrl}/self-service/login/api?login_challenge=${challenge}`);
    expect(init.status).toBe(200);
    const flow = (await init.json()) as OAuth2Flow;
    expect(flow.oauth2_login_challenge).toBe(challenge);
    expect(flow).not.toHaveProperty('oauth2_login_request');
    expect(hydra.callsOn(challenge)).toEqual([]);

    const { data } = await suite.frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
    expect(data.session_token).toEqual(expect.any(String));
    expect(hydra.callsOn(challenge)).toEqual([]);
  });

  it('accepts at once for the signed-in person when Hydra may skip the login', async () => {
    const { email, identity } = await person();
    const browser = new BrowserClient(suite.server.publicUrl);
    // Signed in through an OAuth2 login first.
    const first = hydra.challenge();
    const flow = await browserFlow(browser, first);
    await postForm(browser, flow, email);
    const session = (await (await browser.getJson('/sessions/whoami')).json()) as { id: string };

    const remembered = hydra.challenge({ skip: true, subject: identity.id });
    const page = await browser.request(`/self-service/login/browser?login_challenge=${remembered}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(hydraRedirectFor(remembered));
    const [accept] = hydra.acceptsOn(remembered);
    expect(accept?.body).toMatchObject({ subject: identity.id, identity_provider_session_id: session.id });

    // Hydra asks for the login again (skip false): the signed-in person gets a refresh form.
    const again = hydra.challenge();
    const refresh = await browserFlow(browser, again);
    expect(refresh.refresh).toBe(true);
    expect(new URL(refresh.request_url).searchParams.get('refresh')).toBe('true');
    expect(hydra.acceptsOn(again)).toEqual([]);
  });

  it('refuses unknown and empty challenges, and maps a failed accept, in Kratos’s error shape', async () => {
    const browser = new BrowserClient(suite.server.publicUrl);
    const unknown = await browser.getJson('/self-service/login/browser?login_challenge=nobody-knows');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: {
        code: 400,
        status: 'Bad Request',
        reason: 'Unable to get OAuth 2.0 Login Challenge.',
        message: 'The request was malformed or contained invalid parameters',
        details: { status_code: 404, oauth2_error_hint: 'The login challenge does not exist.' },
      },
    });

    const empty = await browser.getJson('/self-service/login/browser?login_challenge=');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({
      error: { code: 400, reason: 'the login_challenge parameter is present but empty' },
    });

    const { email } = await person();
    const challenge = hydra.challenge();
    hydra.standIn.fail(
      challenge,
      409,
      { error: 'request_conflict', error_hint: 'Already handled.' },
      'accept',
    );
    const flow = (await (
      await browser.getJson(`/self-service/login/browser?login_challenge=${challenge}`)
    ).json()) as OAuth2Flow;
    const done = await postSpaLogin(browser, flow, email, PASSWORD);
    expect(done.status).toBe(500);
    expect(await done.json()).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        reason: 'Unable to accept OAuth 2.0 Login Challenge.',
        message: 'An internal server error occurred, please contact the system administrator',
        details: { status_code: 409, oauth2_error_hint: 'Already handled.' },
      },
    });

    // A fetch asks Hydra again: a challenge Hydra has handled meanwhile (410) fails it.
    const handled = hydra.challenge();
    const another = new BrowserClient(suite.server.publicUrl);
    const started = (await (
      await another.getJson(`/self-service/login/browser?login_challenge=${handled}`)
    ).json()) as OAuth2Flow;
    hydra.standIn.fail(handled, 410, { redirect_to: hydraRedirectFor(handled) });
    const fetched = await another.getJson(`/self-service/login/flows?id=${started.id}`);
    expect(fetched.status).toBe(400);
    expect(await fetched.json()).toMatchObject({ error: { details: { status_code: 410 } } });
  });
});

describe('login_challenge without oauth2_provider.url', () => {
  const suite = useTestServer(undefined, {});

  it('is a misconfiguration (500) for browser and native inits, as in Kratos', async () => {
    await expectChallengeRefusedWithoutProvider(suite.server.publicUrl, [
      '/self-service/login/browser',
      '/self-service/login/api',
    ]);
  });
});
