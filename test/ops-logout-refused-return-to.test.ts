/**
 * A browser logout whose return_to is refused: the session ends, the browser is sent to the
 * error UI, and with the cookies that answer left it, it reads the real error there (Kratos's
 * completeLogout: RegenerateToken, then Forward, which stores the error with the new token).
 */

import { describe, expect, it } from 'vitest';
import { decodeCsrfCookie } from '../src/selfservice/flow/csrf.js';
import { csrfBinding } from '../src/selfservice/flow/http-context.js';
import { elementById } from '../src/ui/testing/html.js';
import { BrowserClient } from './support/browser-client.js';
import { HTML_ACCEPT as HTML, signInBrowser } from './support/browser-login.js';
import { testDatabases } from './support/databases.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './support/identities.js';
import { useTestServer } from './support/suite-server.js';

/** The value of the browser's CSRF cookie (`csrf_token_<hash of the base URL>`). */
function csrfCookieOf(browser: BrowserClient): string | undefined {
  const name = browser.cookieNames().find((n) => n.startsWith('csrf_token_'));
  return name === undefined ? undefined : browser.cookie(name);
}

describe.each(testDatabases())('logout with a refused return_to ($name)', (database) => {
  const t = useTestServer(database, {});

  it('ends the session and lets the browser read "return_to not allowed" on the error page', async () => {
    const browser = new BrowserClient(t.server.publicUrl);
    // The browser signed in through the login form: it holds a CSRF cookie and a session.
    await createPasswordIdentity(t.admin, examTraits('logout@example.com'), PASSWORD);
    await signInBrowser(browser, 'logout@example.com', PASSWORD);
    const csrfBefore = csrfCookieOf(browser);
    expect(csrfBefore).toBeDefined();
    const links = await browser.getJson('/self-service/logout/browser');
    const { logout_token } = (await links.json()) as { logout_token: string };

    const out = await browser.request(
      `/self-service/logout?token=${logout_token}&return_to=${encodeURIComponent('https://evil.example/')}`,
      { headers: { accept: HTML } },
    );
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${t.server.publicUrl}/ui/error`);
    const errorId = location.searchParams.get('id') ?? '';
    // Signed out first, as Kratos: the session cookie is gone and the CSRF secret is new.
    expect(browser.cookie('ory_kratos_session')).toBeUndefined();
    expect(csrfCookieOf(browser)).not.toBe(csrfBefore);
    expect((await browser.getJson('/sessions/whoami')).status).toBe(401);

    const read = await browser.getJson(`/self-service/errors?id=${errorId}`);
    expect(read.status).toBe(200);
    const body = (await read.json()) as { error: { id: string; reason: string } };
    expect(body.error).toMatchObject({
      id: 'self_service_flow_return_to_forbidden',
      reason: expect.stringContaining('https://evil.example/'),
    });

    // The built-in error page shows that reason, not "something went wrong".
    const page = await browser.request(`/ui/error?id=${errorId}`, { headers: { accept: HTML } });
    const html = await page.text();
    expect(elementById(html, 'error-reason')?.text).toBe(body.error.reason);

    // Stored for the browser as it is after the logout: its new CSRF secret, as Kratos.
    const row = await t.server.registry.database.db
      .selectFrom('selfservice_errors')
      .select('csrf_token')
      .where('id', '=', errorId)
      .executeTakeFirstOrThrow();
    const secret = decodeCsrfCookie(csrfCookieOf(browser), t.server.registry.config.secrets.cookie);
    expect(secret).toBeDefined();
    expect(row.csrf_token).toBe(csrfBinding(secret ?? Buffer.alloc(0)));
  });
});
