/**
 * The CSRF checks and cookies as a client sees them, against Kratos's behaviour: native flows
 * behind Cloudflare (EnsureCSRF), the CSRF secret across a refresh login (IssueCookie), the CSRF
 * cookie's name (CSRFCookieName) and attributes (NosurfBaseCookieHandler), and the session
 * cookie's Secure (SessionCookieSecure).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSelfService } from './support/app-self-service.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { postSpaLogin } from './support/browser-login.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

type Flow = { id: string; ui: { nodes: { attributes: object }[] } };

const PASSWORD = 'correct horse battery staple';
const traits = (email: string, fullname = 'Katherine Johnson') => ({
  email,
  fullname,
  phone_number: 5550100,
  user_type: 'educator',
});

/** The name of the CSRF cookie a response sets, and its attributes. */
function csrfSetCookie(response: Response): { name: string; attributes: string[] } | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const name = pair.slice(0, pair.indexOf('='));
    if (name.startsWith('csrf_token_')) return { name, attributes };
  }
  return undefined;
}

function sessionSetCookie(response: Response): string[] | undefined {
  const line = response.headers.getSetCookie().find((l) => l.startsWith('ory_kratos_session='));
  return line?.split(';').map((part) => part.trim());
}

describe.each(testDatabases())('CSRF checks and cookies ($name)', (database) => {
  let app: TestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    app = await startTestServer({
      dsn: db.dsn,
      extraConfig: { selfservice: appSelfService({ settings: { privileged_session_max_age: '15m' } }) },
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  function createIdentity(email: string) {
    return app.registry.identities.create({
      schema_id: 'exam',
      traits: traits(email),
      credentials: { password: { config: { password: PASSWORD } } },
    });
  }

  async function nativeLogin(email: string, headers: Record<string, string>): Promise<Response> {
    const flow = (await (await fetch(`${app.publicUrl}/self-service/login/api`)).json()) as Flow;
    return fetch(`${app.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ method: 'password', identifier: email, password: PASSWORD }),
    });
  }

  describe('native (api) flows (Kratos EnsureCSRF)', () => {
    it("accept a submission whose only cookies are Cloudflare's __cf*", async () => {
      await createIdentity('native-cloudflare@example.com');
      const cloudflare = await nativeLogin('native-cloudflare@example.com', {
        cookie: '__cf_bm=abc; __cfruid=def',
      });
      expect(cloudflare.status).toBe(200);
      expect(((await cloudflare.json()) as { session_token?: string }).session_token).toMatch(/^ory_st_/);
    });

    it('accept a submission with an empty Origin header, as one without', async () => {
      await createIdentity('native-empty-origin@example.com');
      const emptyOrigin = await nativeLogin('native-empty-origin@example.com', { origin: '' });
      expect(emptyOrigin.status).toBe(200);
    });

    it('still refuse any other cookie beside them, and a non-empty Origin', async () => {
      await createIdentity('native-browserish@example.com');
      const cookie = await nativeLogin('native-browserish@example.com', {
        cookie: '__cf_bm=abc; theme=dark',
      });
      expect(cookie.status).toBe(400);
      expect(JSON.stringify(await cookie.json())).toContain('included the \\"Cookie\\" key');
      const origin = await nativeLogin('native-browserish@example.com', {
        origin: 'https://app.example.test',
      });
      expect(origin.status).toBe(400);
      expect(JSON.stringify(await origin.json())).toContain('included the \\"Origin\\" key');
    });
  });

  describe('the CSRF secret across sign-ins (Kratos IssueCookie)', () => {
    async function browserLogin(browser: BrowserClient, query = ''): Promise<Response> {
      const flow = (await (await browser.getJson(`/self-service/login/browser${query}`)).json()) as Flow;
      return postSpaLogin(browser, flow, 'refresh-keeps@example.com', PASSWORD);
    }

    it('a refresh login keeps it, so a settings flow opened before still submits', async () => {
      await createIdentity('refresh-keeps@example.com');
      const browser = new BrowserClient(app.publicUrl);

      // A first sign-in gives the browser a new secret, as Kratos's (no session before).
      const loginFlow = await browser.getJson('/self-service/login/browser');
      const csrfName = csrfSetCookie(loginFlow)?.name ?? '';
      const beforeSignIn = browser.cookie(csrfName);
      const signedIn = await (async () => {
        const flow = (await loginFlow.json()) as Flow;
        return postSpaLogin(browser, flow, 'refresh-keeps@example.com', PASSWORD);
      })();
      expect(signedIn.status).toBe(200);
      expect(csrfSetCookie(signedIn)?.name).toBe(csrfName);
      expect(browser.cookie(csrfName)).not.toBe(beforeSignIn);

      const settings = (await (await browser.getJson('/self-service/settings/browser')).json()) as Flow;

      const refreshed = await browserLogin(browser, '?refresh=true');
      expect(refreshed.status).toBe(200);

      // The old flow, with a freshly fetched token and with the one it was opened with.
      const fetched = (await (
        await browser.getJson(`/self-service/settings/flows?id=${settings.id}`)
      ).json()) as Flow;
      const submitted = await browser.postJson(`/self-service/settings?flow=${settings.id}`, {
        method: 'profile',
        traits: traits('refresh-keeps@example.com', 'Fetched Token'),
        csrf_token: csrfTokenOf(fetched),
      });
      expect(submitted.status).toBe(200);
      const again = await browser.postJson(`/self-service/settings?flow=${settings.id}`, {
        method: 'profile',
        traits: traits('refresh-keeps@example.com', 'Original Token'),
        csrf_token: csrfTokenOf(settings),
      });
      expect(again.status).toBe(200);
      // The refresh set no new CSRF cookie.
      expect(csrfSetCookie(refreshed)).toBeUndefined();
    });
  });
});

describe('the CSRF cookie name and the cookie attributes', () => {
  let app: TestServer;

  beforeAll(async () => {
    app = await startTestServer({
      dsn: 'memory',
      publicListener: { base_url: 'http://foo.com/bar' },
      extraConfig: {
        // Production mode: cookies.secure "false" must not reach the session cookie, and an
        // insecure CSRF cookie cannot be SameSite=None.
        cookies: { secure: 'false', same_site: 'None' },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
        },
      },
    });
  });
  afterAll(() => app?.close());

  it("names the CSRF cookie after base_url as written (Kratos's test vector)", async () => {
    const browser = new BrowserClient(app.publicUrl);
    const response = await browser.getJson('/self-service/login/browser');
    expect(response.status).toBe(200);
    expect(csrfSetCookie(response)?.name).toBe(
      'csrf_token_01c86631efd1537ee34a98e75884a6e21dd8e2d9e944934bca21204106bfd32f',
    );
  });

  it('sends an insecure CSRF cookie as SameSite=Lax, and keeps the session cookie Secure', async () => {
    await app.registry.identities.create({
      schema_id: 'exam',
      traits: traits('attributes@example.com'),
      credentials: { password: { config: { password: PASSWORD } } },
    });
    const browser = new BrowserClient(app.publicUrl);
    const response = await browser.getJson('/self-service/login/browser');
    const csrf = csrfSetCookie(response)?.attributes ?? [];
    expect(csrf).toContain('SameSite=Lax');
    expect(csrf).not.toContain('Secure');

    const flow = (await response.json()) as Flow;
    const signedIn = await postSpaLogin(browser, flow, 'attributes@example.com', PASSWORD);
    expect(signedIn.status).toBe(200);
    const session = sessionSetCookie(signedIn) ?? [];
    expect(session).toContain('Secure');
    expect(session).toContain('SameSite=None');
    expect(csrfSetCookie(signedIn)?.attributes).toContain('SameSite=Lax');
  });
});
