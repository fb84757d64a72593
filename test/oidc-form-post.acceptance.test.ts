/**
 * Sign in with Apple's `response_mode=form_post` against a real Portcullis and a stand-in Apple on
 * loopback (`oidc-provider`, whose token endpoint checks the ES256 client secret the `apple`
 * preset signs, as Apple does). The provider's page posts the callback cross-site, so the browser
 * sends no SameSite=Lax cookie with it: the POST must only send the browser on to a GET of the
 * same callback (Kratos's `redirectToGET`), which carries the continuity cookie and signs in.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Configuration, IdentityApi } from '@ory/client';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInForFormPost, startOpenIdProvider, type TestOpenIdProvider } from './fixtures/oidc-provider.js';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

const fixture = (name: string) => pathToFileURL(join(import.meta.dirname, 'fixtures', name)).toString();

const APPLE_CLIENT_ID = 'com.example.portcullis.web';
const APPLE_TEAM_ID = 'TEAM123456';
const APPLE_KEY_ID = 'KEY1234567';

interface FlowJson {
  id: string;
  ui: { action: string; nodes: { attributes: object }[] };
}

/** Apple's claims by scope: a `name` scope where Google has `profile`. */
const APPLE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  name: ['name'],
  phone: ['phone_number'],
};

/**
 * An OpenID provider that answers `form_post` (oidc-provider does, as Apple) and, like Apple,
 * authenticates the client by an ES256 JWT as `client_secret`, verified against the public half
 * of the key given to Portcullis.
 */
function startStandInApple(redirectUris: string[], publicKey: KeyObject): Promise<TestOpenIdProvider> {
  return startOpenIdProvider({
    redirectUris,
    clientId: APPLE_CLIENT_ID,
    claims: APPLE_CLAIMS,
    acceptClientSecret: (secret) =>
      jwtVerify(secret, publicKey, {
        algorithms: ['ES256'],
        issuer: APPLE_TEAM_ID,
        subject: APPLE_CLIENT_ID,
        audience: 'https://appleid.apple.com',
      }).then(
        () => true,
        () => false,
      ),
  });
}

/**
 * The provider's page submitting its form: a cross-site POST, so the browser sends no
 * SameSite=Lax cookie (neither the continuity cookie nor the session cookie).
 */
function crossSitePost(
  action: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(action, {
    method: 'POST',
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://appleid.apple.com',
      ...headers,
    },
    body,
    redirect: 'manual',
  });
}

describe.each(testDatabases())('sign-in with Apple through form_post ($name)', (database) => {
  let server: TestServer;
  let apple: TestOpenIdProvider;
  let drop: () => Promise<void>;
  let admin: IdentityApi;
  let publicUrl: string;
  const callbackOf = (id: string) => `${publicUrl}/self-service/methods/oidc/callback/${id}`;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    apple = await startStandInApple([callbackOf('apple'), callbackOf('apple-no-email')], publicKey);
    const db = await database.create();
    drop = db.drop;
    const appleProvider = (id: string, scope: string[]) => ({
      id,
      provider: 'apple',
      client_id: APPLE_CLIENT_ID,
      apple_team_id: APPLE_TEAM_ID,
      apple_private_key_id: APPLE_KEY_ID,
      apple_private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      // The stand-in in place of https://appleid.apple.com.
      issuer_url: apple.issuer,
      mapper_url: fixture('oidc-exam.mapper.jsonnet'),
      scope,
    });
    server = await startTestServer({
      dsn: db.dsn,
      publicListener: { port, base_url: `${publicUrl}/` },
      extraConfig: {
        selfservice: {
          default_browser_return_url: `${publicUrl}/`,
          flows: { registration: { after: { oidc: { hooks: [{ hook: 'session' }] } } } },
          methods: {
            oidc: {
              enabled: true,
              config: {
                providers: [
                  appleProvider('apple', ['email', 'name', 'phone']),
                  appleProvider('apple-no-email', ['openid']),
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
    await apple?.close();
    await drop?.();
  });

  /** Starts a browser registration flow and presses the provider's button; returns where it sends the browser. */
  async function pressProvider(browser: BrowserClient, providerId: string): Promise<URL> {
    const init = await browser.request('/self-service/registration/browser');
    expect(init.status).toBe(303);
    const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
    const flow = (await (
      await browser.getJson(`/self-service/registration/flows?id=${id}`)
    ).json()) as FlowJson;
    const pressed = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      provider: providerId,
    });
    expect(pressed.status).toBe(303);
    return new URL(pressed.headers.get('location') ?? '');
  }

  async function whoami(browser: BrowserClient) {
    const response = await browser.getJson('/sessions/whoami');
    return response.status === 200
      ? ((await response.json()) as { identity: { id: string; traits: Record<string, unknown> } })
      : undefined;
  }

  it('signs up through the POST callback: a 302 to the GET callback, which carries the continuity cookie', async () => {
    apple.accounts.set('000123.apple.ada', {
      email: 'ada.apple@example.com',
      email_verified: true,
      name: 'Ada Apple',
      phone_number: '5550199',
    });
    const browser = new BrowserClient(publicUrl);
    const authorization = await pressProvider(browser, 'apple');
    expect(authorization.origin).toBe(apple.issuer);
    // Apple answers the email and name scopes only with form_post (Kratos's AuthCodeURLOptions).
    expect(authorization.searchParams.get('response_mode')).toBe('form_post');
    expect(authorization.searchParams.get('scope')?.split(' ')).toEqual(['openid', 'email', 'name', 'phone']);
    expect(browser.cookie('ory_kratos_continuity')).toBeTruthy();

    const { action, fields } = await signInForFormPost(browser, authorization.toString(), '000123.apple.ada');
    expect(action).toBe(callbackOf('apple'));
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['code', 'state']));

    // The posted fields come back as the query of the same callback on the public URL; nothing
    // else happens, so the state is still unused: posting twice (a reload) gives the same answer.
    const body = new URLSearchParams(fields).toString();
    for (let attempt = 0; attempt < 2; attempt++) {
      const posted = await crossSitePost(action, body);
      expect(posted.status).toBe(302);
      expect(posted.headers.getSetCookie()).toEqual([]);
      const location = new URL(posted.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(callbackOf('apple'));
      expect(Object.fromEntries(location.searchParams)).toEqual(fields);
    }

    // The browser follows with a top-level GET, which carries its SameSite=Lax continuity cookie.
    const location = (await crossSitePost(action, body)).headers.get('location') ?? '';
    const done = await browser.request(location);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${publicUrl}/`);
    const session = await whoami(browser);
    expect(session?.identity.traits).toEqual({
      email: 'ada.apple@example.com',
      fullname: 'Ada Apple',
      phone_number: 5550199,
      user_type: 'student',
    });
    const { data } = await admin.getIdentity({ id: session?.identity.id ?? '', includeCredential: ['oidc'] });
    expect(data.credentials?.oidc?.identifiers).toEqual(['apple:000123.apple.ada']);
    // The token endpoint took the preset's ES256 client secret.
    expect(apple.acceptedClientSecrets).toBeGreaterThan(0);

    // The GET used the state up: the same callback again is refused.
    expect((await browser.request(location)).status).toBe(400);
  });

  it('keeps the query the callback URL carries; a field in both keeps the URL value, a repeated one its last', async () => {
    const posted = await crossSitePost(
      `${callbackOf('apple')}?keep=1&state=from-url`,
      'state=from-body&code=first&code=last&user=%7B%22name%22%3A%7B%7D%7D',
    );
    expect(posted.status).toBe(302);
    const location = new URL(posted.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(callbackOf('apple'));
    expect([...location.searchParams]).toEqual([
      ['keep', '1'],
      ['state', 'from-url'],
      ['code', 'last'],
      ['user', '{"name":{}}'],
    ]);
  });

  it('refuses a POST without a state as it refuses the GET without one, and a body too large', async () => {
    const json = { accept: 'application/json' };
    const get = await fetch(`${callbackOf('apple')}?code=abc`, { headers: json, redirect: 'manual' });
    expect(get.status).toBe(400);
    const getError = await get.json();
    for (const body of ['code=abc', 'state=&code=abc', '']) {
      const post = await crossSitePost(callbackOf('apple'), body, json);
      expect(post.status).toBe(400);
      expect(await post.json()).toEqual(getError);
    }
    // Only a form's fields count: a JSON body's state is no state.
    const asJson = await crossSitePost(callbackOf('apple'), JSON.stringify({ state: 's', code: 'abc' }), {
      ...json,
      'content-type': 'application/json',
    });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toEqual(getError);
    const multipart = new FormData();
    multipart.set('state', 'from-multipart');
    const asMultipart = await fetch(callbackOf('apple'), {
      method: 'POST',
      body: multipart,
      redirect: 'manual',
    });
    expect(asMultipart.status).toBe(302);
    expect(new URL(asMultipart.headers.get('location') ?? '').searchParams.get('state')).toBe(
      'from-multipart',
    );
    const tooLarge = await crossSitePost(callbackOf('apple'), `state=s&user=${'x'.repeat(20_000)}`, json);
    expect(tooLarge.status).toBe(413);
  });

  it('keeps the query response mode when neither email nor name is asked for', async () => {
    const authorization = await pressProvider(new BrowserClient(publicUrl), 'apple-no-email');
    expect(authorization.origin).toBe(apple.issuer);
    expect(authorization.searchParams.get('scope')).toBe('openid');
    expect(authorization.searchParams.has('response_mode')).toBe(false);
  });
});
