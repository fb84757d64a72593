/**
 * The built-in UI over HTTP, driven only through its HTML: each step reads the form a page
 * shows (action, method, fields, buttons) and posts what a browser with JavaScript off would.
 * Real Chromium runs live in test/ui/.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementById, formById, formsOf, type HtmlForm, submission } from '../src/ui/testing/html.js';
import { BrowserClient } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { startUiTestServer, type UiTestServer } from './support/ui-server.js';

const PASSWORD = 'correct horse battery staple';

interface Page {
  url: string;
  status: number;
  headers: Headers;
  html: string;
  /** Every URL the browser went through, the first one included. */
  hops: string[];
}

/** A browser with JavaScript off: follows redirects, keeps cookies, posts forms. */
class HtmlBrowser {
  readonly client: BrowserClient;

  constructor(origin: string) {
    this.client = new BrowserClient(origin);
  }

  async open(url: string): Promise<Page> {
    return this.follow(await this.client.request(url, { headers: { accept: 'text/html' } }), url);
  }

  async submit(
    form: HtmlForm,
    fill: Record<string, string>,
    button: { name?: string; value?: string; text?: string } = {},
  ) {
    expect(form.method).toBe('post');
    const response = await this.client.request(form.action, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: submission(form, fill, button).toString(),
    });
    return this.follow(response, form.action);
  }

  private async follow(first: Response, url: string): Promise<Page> {
    let response = first;
    let current = url.startsWith('http') ? url : `${this.client.origin}${url}`;
    const hops = [current];
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      current = new URL(response.headers.get('location') ?? '', current).toString();
      hops.push(current);
      response = await this.client.request(current, { headers: { accept: 'text/html' } });
    }
    return {
      url: current,
      status: response.status,
      headers: response.headers,
      html: await response.text(),
      hops,
    };
  }
}

/** The code of the newest inbox message to `address`, read from the inbox page. */
async function codeFromInbox(
  browser: HtmlBrowser,
  address: string,
): Promise<{ code: string; messageId: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const inbox = await browser.open('/ui/inbox');
    expect(inbox.status).toBe(200);
    const row = [
      ...inbox.html.matchAll(/<tr data-message-id="([^"]+)" data-recipient="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g),
    ].find((m) => m[2] === address);
    const code = row?.[3] ? /data-code="([0-9]+)"/.exec(row[3])?.[1] : undefined;
    if (row && code) return { code, messageId: row[1] as string };
    if (Date.now() > deadline) throw new Error(`no message to ${address} in the inbox:\n${inbox.html}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function messageIds(html: string): number[] {
  return [...html.matchAll(/data-message-id="([0-9]+)"/g)].map((m) => Number(m[1]));
}

function expectPageHeaders(page: Page, referrer: 'no-referrer' | 'same-origin'): void {
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toMatch(/form-action 'self' http:\/\/127\.0\.0\.1:\d+/);
  expect(csp).not.toContain('script-src');
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe(referrer);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
}

describe.each(testDatabases())('the built-in UI over HTTP ($name)', (database) => {
  let server: UiTestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startUiTestServer({
      dsn: db.dsn,
      extraConfig: {
        selfservice: { flows: { verification: { enabled: true }, recovery: { enabled: true } } },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('signs up, verifies from the inbox, signs out, fails and passes a login, edits a trait, recovers', async () => {
    const browser = new HtmlBrowser(server.origin);
    const email = 'ada@example.test';

    // Registration, step one: the traits (profile_first is Kratos's default style).
    const start = await browser.open('/ui/registration');
    expect(start.hops[1]).toMatch(/\/self-service\/registration\/browser$/);
    expect(start.url).toMatch(/\/ui\/registration\?flow=[0-9a-f-]{36}$/);
    expect(start.status).toBe(200);
    expectPageHeaders(start, 'same-origin');
    expect(start.html).toContain('<html lang="en">');
    const profile = formById(start.html, 'form-flow');
    expect(profile.action).toMatch(/\/self-service\/registration\?flow=/);
    const userType = profile.fields.find((f) => f.name === 'traits.user_type');
    expect(userType?.tag).toBe('select');
    expect(userType?.options).toEqual(['', 'student', 'educator']);
    expect(start.html).toContain('<label for="flow-traits.email">E-Mail</label>');

    // A missing trait comes back with its message next to the field, and the other values kept.
    const incomplete = await browser.submit(
      profile,
      {
        'traits.email': email,
        'traits.fullname': '',
        'traits.phone_number': '5550100',
        'traits.user_type': 'educator',
      },
      { name: 'method', value: 'profile' },
    );
    expect(incomplete.url).toMatch(/\/ui\/registration\?flow=/);
    const again = formById(incomplete.html, 'form-flow');
    expect(again.fields.find((f) => f.name === 'traits.email')?.value).toBe(email);
    expect(again.fields.find((f) => f.name === 'traits.user_type')?.value).toBe('educator');
    const fullname = again.fields.find((f) => f.name === 'traits.fullname');
    expect(fullname?.attributes['aria-invalid']).toBe('true');
    const described = elementById(incomplete.html, fullname?.attributes['aria-describedby'] ?? '');
    expect(described?.text.length).toBeGreaterThan(0);

    // Step two: the password, in its own form with the traits carried along hidden.
    const second = await browser.submit(
      again,
      { 'traits.fullname': 'Ada Lovelace' },
      { name: 'method', value: 'profile' },
    );
    const passwordForm = formById(second.html, 'form-password');
    expect(passwordForm.fields.find((f) => f.name === 'traits.email')?.type).toBe('hidden');
    expect(passwordForm.fields.find((f) => f.name === 'password')?.attributes.autocomplete).toBe(
      'new-password',
    );
    const back = formById(second.html, 'form-profile');
    expect(back.buttons[0]?.attributes).toHaveProperty('formnovalidate');

    const registered = await browser.submit(
      passwordForm,
      { password: PASSWORD },
      { name: 'method', value: 'password' },
    );
    expect(registered.url).toMatch(/\/ui\/welcome$/);
    expect(elementById(registered.html, 'welcome-identity')?.text).toBe(`Signed in as ${email}`);
    expect(registered.html).toContain('data-trait="user_type">educator</dd>');

    // The verification code, from the dev inbox; the message page shows it too.
    const { code, messageId } = await codeFromInbox(browser, email);
    const message = await browser.open(`/ui/inbox/${messageId}`);
    expectPageHeaders(message, 'no-referrer');
    expect(elementById(message.html, 'message-code')?.text).toBe(code);
    expect(message.html).toMatch(
      /<a class="pc-inbox-link" href="http:\/\/127\.0\.0\.1:\d+\/self-service\/verification\?/,
    );

    const verification = await browser.open('/ui/verification');
    expectPageHeaders(verification, 'no-referrer');
    const sent = await browser.submit(
      formById(verification.html, 'form-flow'),
      { email },
      { name: 'method', value: 'code' },
    );
    const codeForm = formById(sent.html, 'form-flow');
    const codeField = codeForm.fields.find((f) => f.name === 'code');
    expect(codeField?.attributes).toMatchObject({
      autocomplete: 'one-time-code',
      pattern: '[0-9]+',
      maxlength: '6',
    });
    // "Resend code" posts the address and must not need the code.
    expect(codeForm.buttons.find((b) => b.name === 'email')?.attributes).toHaveProperty('formnovalidate');
    const { code: second_code } = await codeFromInbox(browser, email);
    const verified = await browser.submit(codeForm, { code: second_code }, { name: 'method', value: 'code' });
    expect(messageIds(verified.html)).toContain(1080002);
    expect(code).toMatch(/^[0-9]{6}$/);

    // Sign out through the welcome page's link.
    const welcome = await browser.open('/ui/welcome');
    const logout = elementById(welcome.html, 'link-logout')?.attributes.href ?? '';
    expect(logout).toMatch(/\/self-service\/logout\?token=/);
    const signedOut = await browser.open(logout);
    expect(elementById(signedOut.html, 'welcome-signed-out')).toBeDefined();

    // A wrong password: the error at the top (role=alert), the identifier kept, no password echoed.
    const login = await browser.open('/ui/login');
    expectPageHeaders(login, 'same-origin');
    expect(elementById(login.html, 'link-registration')).toBeDefined();
    expect(elementById(login.html, 'link-recovery')).toBeDefined();
    const loginForm = formById(login.html, 'form-flow');
    const failed = await browser.submit(
      loginForm,
      { identifier: email, password: 'not the password' },
      { name: 'method', value: 'password' },
    );
    expect(failed.url).toMatch(/\/ui\/login\?flow=/);
    expect(failed.html).toMatch(
      /<p class="pc-message pc-message--error" role="alert" data-message-id="4000006">/,
    );
    const retry = formById(failed.html, 'form-flow');
    expect(retry.fields.find((f) => f.name === 'identifier')?.value).toBe(email);
    expect(retry.fields.find((f) => f.name === 'password')?.value).toBeUndefined();
    expect(failed.html).not.toContain('not the password');

    const signedIn = await browser.submit(
      retry,
      { password: PASSWORD },
      { name: 'method', value: 'password' },
    );
    expect(signedIn.url).toMatch(/\/ui\/welcome$/);

    // Settings: profile and password are separate forms under their own headings.
    const settings = await browser.open('/ui/settings');
    expect(settings.url).toMatch(/\/ui\/settings\?flow=/);
    expectPageHeaders(settings, 'same-origin');
    const profileForm = formById(settings.html, 'form-profile');
    expect(formById(settings.html, 'form-password').fields.map((f) => f.name)).toEqual([
      'csrf_token',
      'password',
    ]);
    expect(settings.html).toMatch(/<h2 id="heading-profile">Profile<\/h2>/);
    expect(profileForm.fields.find((f) => f.name === 'traits.fullname')?.value).toBe('Ada Lovelace');
    const saved = await browser.submit(
      profileForm,
      { 'traits.fullname': 'Ada King' },
      { name: 'method', value: 'profile' },
    );
    expect(saved.url).toMatch(/\/ui\/settings\?flow=/);
    expect(messageIds(saved.html)).toContain(1050001);
    expect(formById(saved.html, 'form-profile').fields.find((f) => f.name === 'traits.fullname')?.value).toBe(
      'Ada King',
    );

    // Recovery, signed out, with the code from the inbox: it ends in the settings page.
    await browser.open(
      elementById((await browser.open('/ui/welcome')).html, 'link-logout')?.attributes.href ?? '',
    );
    const recovery = await browser.open('/ui/recovery');
    expectPageHeaders(recovery, 'no-referrer');
    const recoverySent = await browser.submit(
      formById(recovery.html, 'form-flow'),
      { email },
      { name: 'method', value: 'code' },
    );
    const { code: recoveryCode } = await codeFromInbox(browser, email);
    const recovered = await browser.submit(
      formById(recoverySent.html, 'form-flow'),
      { code: recoveryCode },
      { name: 'method', value: 'code' },
    );
    expect(recovered.url).toMatch(/\/ui\/settings\?flow=/);
    expect(formById(recovered.html, 'form-password')).toBeDefined();
  });

  it('lists sessions on the welcome page and revokes another one with a CSRF-protected form', async () => {
    const email = 'sessions@example.test';
    const first = new HtmlBrowser(server.origin);
    await register(first, email);
    const second = new HtmlBrowser(server.origin);
    const login = await second.open('/ui/login');
    await second.submit(
      formById(login.html, 'form-flow'),
      { identifier: email, password: PASSWORD },
      { name: 'method', value: 'password' },
    );

    const welcome = await first.open('/ui/welcome');
    const sessions = [...welcome.html.matchAll(/<li data-session-id="([^"]+)"( data-current="true")?>/g)];
    expect(sessions).toHaveLength(2);
    expect(sessions[0]?.[2]).toBeDefined();
    const revoke = formsOf(welcome.html).find((f) => f.action.endsWith('/ui/sessions/revoke'));
    if (!revoke) throw new Error('no revoke form');
    expect(revoke.fields.find((f) => f.name === 'session_id')?.value).toBe(sessions[1]?.[1]);

    // Without the token (a cross-site post) nothing happens.
    const forged = await first.client.request(revoke.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session_id: sessions[1]?.[1] ?? '' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toContain('text/html');

    const after = await first.submit(revoke, {});
    expect(after.url).toMatch(/\/ui\/welcome\?revoked=one$/);
    expect([...after.html.matchAll(/<li data-session-id=/g)]).toHaveLength(1);
    expect(elementById(after.html, 'no-other-sessions')).toBeDefined();
    expect(elementById((await second.open('/ui/welcome')).html, 'welcome-signed-out')).toBeDefined();
  });

  it('escapes hostile traits in every page that shows them', async () => {
    const browser = new HtmlBrowser(server.origin);
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    await register(browser, 'hostile@example.test', hostile);
    const welcome = await browser.open('/ui/welcome');
    const settings = await browser.open('/ui/settings');
    for (const page of [welcome, settings]) {
      expect(page.html).not.toContain('<script>');
      expect(page.html).not.toContain('<img src=x');
      expect(page.html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(
      formById(settings.html, 'form-profile').fields.find((f) => f.name === 'traits.fullname')?.value,
    ).toBe(hostile);
  });

  it('starts a flow without ?flow=, replaces an expired one, and refuses unknown and foreign flows', async () => {
    const browser = new HtmlBrowser(server.origin);
    const returnTo = `${server.origin}/ui/welcome`;
    const start = await browser.client.request(
      `/ui/login?return_to=${encodeURIComponent(returnTo)}&refresh=true`,
    );
    expect(start.status).toBe(303);
    const init = new URL(start.headers.get('location') ?? '');
    expect(init.pathname).toBe('/self-service/login/browser');
    expect(init.searchParams.get('return_to')).toBe(returnTo);

    const page = await browser.open('/ui/login');
    const flowId = new URL(page.url).searchParams.get('flow') ?? '';
    await server.registry.database.db
      .updateTable('selfservice_flows')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('id', '=', flowId)
      .execute();
    const renewed = await browser.open(`/ui/login?flow=${flowId}`);
    expect(renewed.hops[1]).toMatch(/\/self-service\/login\/browser$/);
    expect(renewed.url).toMatch(/\/ui\/login\?flow=/);
    expect(new URL(renewed.url).searchParams.get('flow')).not.toBe(flowId);

    const unknown = await browser.open('/ui/login?flow=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expectPageHeaders(unknown, 'same-origin');
    expect(elementById(unknown.html, 'error-start-over')?.attributes.href).toMatch(
      /\/self-service\/login\/browser$/,
    );

    const stranger = new HtmlBrowser(server.origin);
    await stranger.open('/ui/registration');
    const foreign = await stranger.open(renewed.url);
    expect(foreign.status).toBe(403);
    expect(foreign.html).toContain('role="alert"');
  });

  it('sends a browser without a session from settings to the login, and back afterwards', async () => {
    const browser = new HtmlBrowser(server.origin);
    const response = await browser.client.request('/ui/settings');
    expect(response.status).toBe(303);
    const login = new URL(response.headers.get('location') ?? '');
    expect(login.pathname).toBe('/self-service/login/browser');
    expect(login.searchParams.get('return_to')).toBe(`${server.origin}/self-service/settings/browser`);

    const email = 'returning@example.test';
    await register(new HtmlBrowser(server.origin), email);
    const page = await browser.open(response.headers.get('location') ?? '');
    const landed = await browser.submit(
      formById(page.html, 'form-flow'),
      { identifier: email, password: PASSWORD },
      { name: 'method', value: 'password' },
    );
    expect(landed.url).toMatch(/\/ui\/settings\?flow=/);
  });

  it('serves the stylesheet, the error page, an HTML 404, and welcome without a session', async () => {
    const browser = new HtmlBrowser(server.origin);
    const welcome = await browser.open('/ui/welcome');
    expectPageHeaders(welcome, 'same-origin');
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(welcome.html)?.[1] ?? '';
    expect(href).toMatch(/^\/ui\/static\/portcullis\.css\?v=/);
    const css = await browser.client.request(href);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('--pc-primary');
    expect(elementById(welcome.html, 'link-login')?.attributes.href).toBe('/ui/login');

    const error = await browser.open('/ui/error?id=8f1d2c3b-0000-4000-8000-000000000001');
    expect(error.status).toBe(200);
    expect(elementById(error.html, 'error-reference')?.text).toContain(
      '8f1d2c3b-0000-4000-8000-000000000001',
    );
    const injected = await browser.open('/ui/error?id=%3Cb%3Ecall%20us%3C%2Fb%3E');
    expect(injected.html).not.toContain('call us');

    const root = await browser.client.request('/ui');
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/ui/welcome');

    const missing = await browser.open('/ui/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  async function register(browser: HtmlBrowser, email: string, fullname = 'Grace Hopper'): Promise<void> {
    const start = await browser.open('/ui/registration');
    const step2 = await browser.submit(
      formById(start.html, 'form-flow'),
      {
        'traits.email': email,
        'traits.fullname': fullname,
        'traits.phone_number': '5550100',
        'traits.user_type': 'student',
      },
      { name: 'method', value: 'profile' },
    );
    const done = await browser.submit(
      formById(step2.html, 'form-password'),
      { password: PASSWORD },
      { name: 'method', value: 'password' },
    );
    expect(done.url).toMatch(/\/ui\/welcome$/);
  }
});

describe('the built-in UI, configured', () => {
  it('has no inbox without --dev, and shows the product name and logo from config', async () => {
    const server = await startUiTestServer({
      dsn: 'memory',
      dev: false,
      extraConfig: {
        selfservice: { default_browser_return_url: 'http://127.0.0.1:1/' },
        ui: {
          product_name: 'Acme <ID>',
          logo_url: 'https://cdn.example.com/logo.svg',
          theme: { primary: '#aa0000', radius: '2px' },
        },
      },
    });
    try {
      const browser = new HtmlBrowser(server.origin);
      const inbox = await browser.open('/ui/inbox');
      expect(inbox.status).toBe(404);
      const login = await browser.open('/ui/login');
      expect(login.status).toBe(200);
      expect(login.html).toContain('<title>Sign in · Acme &lt;ID&gt;</title>');
      expect(login.html).toContain('<img src="https://cdn.example.com/logo.svg" alt="" height="32">');
      expect(login.headers.get('content-security-policy')).toContain(
        "img-src 'self' data: https://cdn.example.com;",
      );
      expect(login.headers.get('content-security-policy')).toContain('http://127.0.0.1:1');
      const href = /<link rel="stylesheet" href="([^"]+)">/.exec(login.html)?.[1] ?? '';
      const css = await (await browser.client.request(href)).text();
      expect(css).toContain('--pc-primary: #aa0000;');
      expect(css).not.toContain('prefers-color-scheme: dark');
    } finally {
      await server.close();
    }
  });

  it('picks the page language from Accept-Language among the translation files', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-ui-i18n-'));
    await writeFile(
      join(dir, 'de.json'),
      JSON.stringify({ ui: { 'login.title': 'Anmelden' }, messages: { '1010022': 'Mit Passwort anmelden' } }),
    );
    const server = await startUiTestServer({ dsn: 'memory', extraConfig: { ui: { translations_dir: dir } } });
    try {
      const browser = new HtmlBrowser(server.origin);
      const start = await browser.client.request('/ui/login', {
        headers: { 'accept-language': 'de-AT, en;q=0.5' },
      });
      let location = start.headers.get('location') ?? '';
      let response = await browser.client.request(location);
      location = response.headers.get('location') ?? '';
      response = await browser.client.request(location, {
        headers: { 'accept-language': 'de-AT, en;q=0.5' },
      });
      const page = await response.text();
      expect(page).toContain('<html lang="de">');
      expect(page).toContain('<h1>Anmelden</h1>');
      expect(page).toMatch(
        /<button class="pc-button" type="submit" name="method" value="password"[^>]*>Mit Passwort anmelden<\/button>/,
      );
      // Not translated: the English text of the UI catalogue and of the flow.
      expect(page).toContain('Skip to content');
      expect(response.headers.get('content-language')).toBe('de');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('signs in with the identifier-first style: the identifier, then the password', async () => {
    const server = await startUiTestServer({
      dsn: 'memory',
      extraConfig: { selfservice: { flows: { login: { style: 'identifier_first' } } } },
    });
    try {
      await server.registry.identities.create({
        schema_id: 'exam',
        traits: {
          email: 'idfirst@example.com',
          fullname: 'Ada',
          phone_number: 5550100,
          user_type: 'educator',
        },
        credentials: { password: { config: { password: PASSWORD } } },
      });
      const browser = new HtmlBrowser(server.origin);
      const login = await browser.open('/self-service/login/browser');
      const identify = formById(login.html, 'form-flow');
      expect(identify.fields.map((f) => f.name)).toEqual(['csrf_token', 'identifier']);
      const step = await browser.submit(
        identify,
        { identifier: 'idfirst@example.com' },
        { name: 'method', value: 'identifier_first' },
      );
      expect(step.url).toMatch(/\/ui\/login\?flow=/);
      // One form: the identifier rides along hidden with the password.
      const credentials = formById(step.html, 'form-flow');
      // The page says whose sign-in it is, and leads to a new flow for another account.
      expect(step.html).toContain('Signing in as idfirst@example.com.');
      expect(elementById(step.html, 'link-other-account')).toBeDefined();
      expect(credentials.fields.find((f) => f.name === 'identifier')).toMatchObject({
        type: 'hidden',
        value: 'idfirst@example.com',
      });
      const signedIn = await browser.submit(
        credentials,
        { password: PASSWORD },
        { name: 'method', value: 'password' },
      );
      expect(signedIn.url).toMatch(/\/ui\/welcome$/);
    } finally {
      await server.close();
    }
  });

  it('serves nothing under /ui when ui.enabled is false', async () => {
    const server = await startUiTestServer({ dsn: 'memory', extraConfig: { ui: { enabled: false } } });
    try {
      const response = await fetch(`${server.origin}/ui/login`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/json');
    } finally {
      await server.close();
    }
  });
});
