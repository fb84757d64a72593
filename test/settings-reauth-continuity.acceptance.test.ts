import type { LoginFlow, SettingsFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { captureLogs } from '../src/kernel/testing/log-capture.js';
import { createFlowStore } from '../src/persistence/flow-store.js';
import { appSelfService } from './support/app-self-service.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { postSpaLogin, signInBrowser } from './support/browser-login.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, loginWithPassword, PASSWORD } from './support/identities.js';
import { ageSessions } from './support/sessions.js';
import { statusOf } from './support/status-of.js';
import { useTestServer } from './support/suite-server.js';

/**
 * A settings change that needs a privileged session, made with a session older than
 * `privileged_session_max_age`, is remembered while the browser re-authenticates and applied when
 * it comes back (Kratos's settings continuity), once, for the identity that made it only.
 *
 * Sessions are aged by moving their `authenticated_at` back in the store (no sleeping, no clock
 * thresholds): a tiny max age would also make the refreshed session too old before the replay.
 */

const NEW_PASSWORD = 'a completely different passphrase';
const CONTINUITY_COOKIE = 'ory_kratos_settings_continuity';
const AFTER_SETTINGS = 'http://app.example.test/after-settings';

describe.each(testDatabases())('settings: a change paused for re-authentication ($name)', (database) => {
  const logs = captureLogs('warn');
  const suite = useTestServer(database, {
    extraConfig: { selfservice: appSelfService({ settings: { privileged_session_max_age: '15m' } }) },
    logger: logs.logger,
  });

  function createIdentity(email: string) {
    return createPasswordIdentity(suite.admin, examTraits(email, 'Mary Jackson'), PASSWORD);
  }

  /** Whether a native sign-in with these credentials succeeds. */
  async function canSignIn(email: string, password: string): Promise<boolean> {
    return (await statusOf(loginWithPassword(suite.frontend, email, password))) === 200;
  }

  /** A browser signed in with the password, its session fresh. */
  async function signedInBrowser(email: string): Promise<BrowserClient> {
    const browser = new BrowserClient(suite.server.publicUrl);
    await signInBrowser(browser, email, PASSWORD);
    return browser;
  }

  async function openSettings(browser: BrowserClient, returnTo?: string): Promise<SettingsFlow> {
    const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
    const response = await browser.getJson(`/self-service/settings/browser${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as SettingsFlow;
  }

  const submitUrl = (flow: SettingsFlow) => `${suite.server.publicUrl}/self-service/settings?flow=${flow.id}`;
  const refreshUrl = (flow: SettingsFlow) =>
    `${suite.server.publicUrl}/self-service/login/browser?refresh=true&return_to=${encodeURIComponent(submitUrl(flow))}`;

  /** An HTML form changing the password with the aged session: 303 to the refreshing login. */
  async function pausePasswordChange(browser: BrowserClient, flow: SettingsFlow): Promise<string> {
    const refused = await browser.postForm(`/self-service/settings?flow=${flow.id}`, {
      method: 'password',
      password: NEW_PASSWORD,
      csrf_token: csrfTokenOf(flow),
    });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(refreshUrl(flow));
    expect(browser.cookie(CONTINUITY_COOKIE)).toBeDefined();
    return refreshUrl(flow);
  }

  /** Follows the refreshing login as an HTML form does: returns where the login sends the browser. */
  async function reauthenticate(browser: BrowserClient, at: string, email: string): Promise<string> {
    const init = await browser.request(at);
    expect(init.status).toBe(303);
    const loginId = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const login = (await (
      await browser.getJson(`/self-service/login/flows?id=${loginId}`)
    ).json()) as LoginFlow;
    expect(login.refresh).toBe(true);
    const signedIn = await browser.postForm(`/self-service/login?flow=${login.id}`, {
      method: 'password',
      identifier: email,
      password: PASSWORD,
      csrf_token: csrfTokenOf(login),
    });
    expect(signedIn.status).toBe(303);
    return signedIn.headers.get('location') ?? '';
  }

  /** A request from `browser` with its cookies, the continuity cookie replaced by `continuity`. */
  function withContinuity(browser: BrowserClient, url: string, continuity: string): Promise<Response> {
    const cookies = browser
      .cookieNames()
      .filter((name) => name !== CONTINUITY_COOKIE)
      .map((name) => `${name}=${browser.cookie(name)}`);
    cookies.push(`${CONTINUITY_COOKIE}=${continuity}`);
    return fetch(url, { headers: { cookie: cookies.join('; ') }, redirect: 'manual' });
  }

  const flowIdIn = (location: string | null) => new URL(location ?? '').searchParams.get('flow');

  it('HTML forms: the new password is set once the person signed in again, and they land on return_to', async () => {
    const identity = await createIdentity('paused-password@example.com');
    const browser = await signedInBrowser('paused-password@example.com');
    const flow = await openSettings(browser, AFTER_SETTINGS);
    await ageSessions(suite.server, identity.id);

    const login = await pausePasswordChange(browser, flow);
    // Nothing changed yet, and nothing stored or sent shows the new password.
    expect(await canSignIn('paused-password@example.com', PASSWORD)).toBe(true);
    const stored = await suite.server.registry.database.db
      .selectFrom('selfservice_flows')
      .select('internal')
      .where('id', '=', flow.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).toContain('settings_continuity');
    expect(JSON.stringify(stored)).not.toContain(NEW_PASSWORD);
    const cookie = browser.cookie(CONTINUITY_COOKIE) ?? '';
    expect(cookie).not.toContain(NEW_PASSWORD);
    expect(Buffer.from(cookie.replace(/^[^.]*\./, ''), 'base64url').toString('latin1')).not.toContain(
      NEW_PASSWORD,
    );

    // The refreshing login returns the browser to the submit URL, which applies the change.
    const back = await reauthenticate(browser, login, 'paused-password@example.com');
    expect(back).toBe(submitUrl(flow));
    const logged = logs.lines.length;
    const applied = await browser.request(back);
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe(AFTER_SETTINGS);
    expect(browser.cookie(CONTINUITY_COOKIE)).toBeUndefined();
    // Answered once: no second answer (a new flow) attempted after the replay's.
    expect(logs.lines.slice(logged)).toEqual([]);
    expect(await canSignIn('paused-password@example.com', NEW_PASSWORD)).toBe(true);
    expect(await canSignIn('paused-password@example.com', PASSWORD)).toBe(false);

    // The flow says it was saved.
    const saved = (await (
      await browser.getJson(`/self-service/settings/flows?id=${flow.id}`)
    ).json()) as SettingsFlow;
    expect(saved.state).toBe('success');
    expect(saved.ui.messages?.map((m) => m.id)).toEqual([1050001]);

    // One-shot: a copy of the cookie brought again replays nothing (a new flow starts instead).
    const again = await withContinuity(browser, back, cookie);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toContain(`${suite.server.publicUrl}/ui/settings?flow=`);
    expect(flowIdIn(again.headers.get('location'))).not.toBe(flow.id);
  });

  it('SPA: 403 session_refresh_required, and the browser opening redirect_browser_to after the login applies the change', async () => {
    const identity = await createIdentity('paused-spa@example.com');
    const browser = await signedInBrowser('paused-spa@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);

    const refused = await browser.postJson(`/self-service/settings?flow=${flow.id}`, {
      method: 'password',
      password: NEW_PASSWORD,
      csrf_token: csrfTokenOf(flow),
    });
    expect(refused.status).toBe(403);
    const error = (await refused.json()) as { error: { id: string }; redirect_browser_to: string };
    expect(error.error.id).toBe('session_refresh_required');
    expect(error.redirect_browser_to).toBe(refreshUrl(flow));

    const login = (await (await browser.getJson(error.redirect_browser_to)).json()) as LoginFlow;
    const signedIn = await postSpaLogin(browser, login, 'paused-spa@example.com', PASSWORD);
    expect(signedIn.status).toBe(200);
    const next = (await signedIn.json()) as { continue_with: { redirect_browser_to?: string }[] };
    expect(next.continue_with[0]?.redirect_browser_to).toBe(submitUrl(flow));

    // Fetching it as JSON replays nothing (Kratos's PrepareUpdate skips JSON requests)...
    const asJson = await browser.getJson(submitUrl(flow));
    expect(asJson.status).toBe(200);
    expect(await canSignIn('paused-spa@example.com', NEW_PASSWORD)).toBe(false);
    // ...opening it in the browser does: the settings UI shows the saved flow.
    const applied = await browser.request(submitUrl(flow));
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe(`${suite.server.publicUrl}/ui/settings?flow=${flow.id}`);
    expect(await canSignIn('paused-spa@example.com', NEW_PASSWORD)).toBe(true);
  });

  it('a changed email (a protected trait) is applied after the re-authentication too', async () => {
    const identity = await createIdentity('paused-email@example.com');
    const browser = await signedInBrowser('paused-email@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);

    const refused = await browser.postForm(`/self-service/settings?flow=${flow.id}`, {
      method: 'profile',
      csrf_token: csrfTokenOf(flow),
      'traits.email': 'moved-email@example.com',
      'traits.fullname': 'Mary Jackson',
      'traits.phone_number': '5550100',
      'traits.user_type': 'educator',
    });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(refreshUrl(flow));

    const back = await reauthenticate(browser, refreshUrl(flow), 'paused-email@example.com');
    const applied = await browser.request(back);
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe(`${suite.server.publicUrl}/ui/settings?flow=${flow.id}`);
    expect((await suite.server.registry.identities.get(identity.id)).traits.email).toBe(
      'moved-email@example.com',
    );
  });

  it('ignores a tampered continuity cookie', async () => {
    const identity = await createIdentity('paused-tampered@example.com');
    const browser = await signedInBrowser('paused-tampered@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);
    const login = await pausePasswordChange(browser, flow);
    const cookie = browser.cookie(CONTINUITY_COOKIE) ?? '';
    const back = await reauthenticate(browser, login, 'paused-tampered@example.com');

    // One character of the sealed value changed.
    const at = cookie.length - 5;
    const tampered = cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1);
    const answer = await withContinuity(browser, back, tampered);
    expect(answer.status).toBe(303);
    expect(flowIdIn(answer.headers.get('location'))).not.toBe(flow.id);
    expect(await canSignIn('paused-tampered@example.com', PASSWORD)).toBe(true);
    expect(await canSignIn('paused-tampered@example.com', NEW_PASSWORD)).toBe(false);
  });

  it('ignores a paused change past its 15 minutes', async () => {
    const identity = await createIdentity('paused-expired@example.com');
    const browser = await signedInBrowser('paused-expired@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);
    const login = await pausePasswordChange(browser, flow);
    const back = await reauthenticate(browser, login, 'paused-expired@example.com');

    // The store's clock is not the test's: the container's expiry is moved into the past instead.
    const flows = createFlowStore(suite.server.registry.database.db);
    const paused = await flows.get('settings', flow.id);
    const container = paused?.internal.settings_continuity as Record<string, string>;
    expect(container).toBeDefined();
    await flows.update({
      ...(paused as NonNullable<typeof paused>),
      internal: {
        ...paused?.internal,
        settings_continuity: { ...container, expires_at: '2000-01-01T00:00:00.000Z' },
      },
    });

    const answer = await browser.request(back);
    expect(answer.status).toBe(303);
    expect(flowIdIn(answer.headers.get('location'))).not.toBe(flow.id);
    expect(await canSignIn('paused-expired@example.com', PASSWORD)).toBe(true);
    expect(await canSignIn('paused-expired@example.com', NEW_PASSWORD)).toBe(false);
  });

  it("never applies one identity's paused change for another identity", async () => {
    const owner = await createIdentity('paused-owner@example.com');
    await createIdentity('paused-other@example.com');
    const ownerBrowser = await signedInBrowser('paused-owner@example.com');
    const flow = await openSettings(ownerBrowser);
    await ageSessions(suite.server, owner.id);
    await pausePasswordChange(ownerBrowser, flow);
    const cookie = ownerBrowser.cookie(CONTINUITY_COOKIE) ?? '';

    // The other identity's browser, carrying the owner's continuity cookie.
    const other = await signedInBrowser('paused-other@example.com');
    // On the owner's flow: refused as another identity's flow, as any submission to it is.
    const onOwnersFlow = await withContinuity(other, submitUrl(flow), cookie);
    expect(onOwnersFlow.status).toBe(303);
    expect(onOwnersFlow.headers.get('location')).toBe(
      `${suite.server.publicUrl}/ui/settings?flow=${flow.id}`,
    );
    // On a flow of its own: the cookie is for another flow and identity, and nothing is replayed.
    const ownFlow = await openSettings(other);
    const onOwnFlow = await withContinuity(other, submitUrl(ownFlow), cookie);
    expect(onOwnFlow.status).toBe(303);
    expect(flowIdIn(onOwnFlow.headers.get('location'))).not.toBe(ownFlow.id);

    expect(await canSignIn('paused-other@example.com', PASSWORD)).toBe(true);
    expect(await canSignIn('paused-owner@example.com', PASSWORD)).toBe(true);
    expect(await canSignIn('paused-owner@example.com', NEW_PASSWORD)).toBe(false);
    expect(await canSignIn('paused-other@example.com', NEW_PASSWORD)).toBe(false);
  });

  it('a new settings flow drops the paused change', async () => {
    const identity = await createIdentity('paused-dropped@example.com');
    const browser = await signedInBrowser('paused-dropped@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);
    const login = await pausePasswordChange(browser, flow);
    await openSettings(browser);
    expect(browser.cookie(CONTINUITY_COOKIE)).toBeUndefined();

    const back = await reauthenticate(browser, login, 'paused-dropped@example.com');
    const answer = await browser.request(back);
    expect(answer.status).toBe(303);
    expect(flowIdIn(answer.headers.get('location'))).not.toBe(flow.id);
    expect(await canSignIn('paused-dropped@example.com', PASSWORD)).toBe(true);
  });

  it('a later submission on the flow supersedes the paused change, which a stale cookie cannot replay', async () => {
    const identity = await createIdentity('paused-superseded@example.com');
    const browser = await signedInBrowser('paused-superseded@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);
    const login = await pausePasswordChange(browser, flow);
    const staleCookie = browser.cookie(CONTINUITY_COOKIE) ?? '';
    const back = await reauthenticate(browser, login, 'paused-superseded@example.com');

    // Signed in again, the person sets yet another password on the same flow.
    const newer = 'the password chosen after all';
    const saved = await browser.postForm(`/self-service/settings?flow=${flow.id}`, {
      method: 'password',
      password: newer,
      csrf_token: csrfTokenOf(flow),
    });
    expect(saved.status).toBe(303);
    expect(browser.cookie(CONTINUITY_COOKIE)).toBeUndefined();
    // The return URL, even with the old cookie, no longer applies the first change over it.
    const replayed = await withContinuity(browser, back, staleCookie);
    expect(replayed.status).toBe(303);
    expect(await canSignIn('paused-superseded@example.com', newer)).toBe(true);
    expect(await canSignIn('paused-superseded@example.com', NEW_PASSWORD)).toBe(false);
  });

  it('a navigation from another site does not apply the paused change; the person’s own return does', async () => {
    const identity = await createIdentity('paused-cross-site@example.com');
    const browser = await signedInBrowser('paused-cross-site@example.com');
    const flow = await openSettings(browser);
    await ageSessions(suite.server, identity.id);
    const login = await pausePasswordChange(browser, flow);
    const back = await reauthenticate(browser, login, 'paused-cross-site@example.com');

    const fromElsewhere = await browser.request(back, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fromElsewhere.status).toBe(303);
    expect(flowIdIn(fromElsewhere.headers.get('location'))).not.toBe(flow.id);
    expect(await canSignIn('paused-cross-site@example.com', PASSWORD)).toBe(true);
    expect(browser.cookie(CONTINUITY_COOKIE)).toBeDefined();

    const own = await browser.request(back, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(303);
    expect(await canSignIn('paused-cross-site@example.com', NEW_PASSWORD)).toBe(true);
  });
});
