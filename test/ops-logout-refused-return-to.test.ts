/**
 * A browser logout whose return_to is refused: the session ends, the browser is sent to the
 * error UI, and with the cookies that answer left it, it reads the real error there (Kratos's
 * completeLogout: RegenerateToken, then Forward, which stores the error with the new token).
 */

import { Configuration, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCsrfCookie } from '../src/selfservice/flow/csrf.js';
import { csrfBinding } from '../src/selfservice/flow/http-context.js';
import { elementById } from '../src/ui/testing/html.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';
import { issueSessions } from './support/sessions.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A browser's cookie jar for one origin: sends what it holds, keeps what answers set. */
class Jar {
  readonly cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  set(pair: string): void {
    const eq = pair.indexOf('=');
    this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }

  csrfCookie(): string | undefined {
    return [...this.cookies].find(([name]) => name.startsWith('csrf_token_'))?.[1];
  }

  async get(path: string, accept: string): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.origin}${path}`, {
      headers: { accept, ...(cookie === '' ? {} : { cookie }) },
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || pair.endsWith('=')) this.cookies.delete(name);
      else this.set(pair);
    }
    return response;
  }
}

describe.each(testDatabases())('logout with a refused return_to ($name)', (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await database.create();
    drop = db.drop;
    server = await startTestServer({ dsn: db.dsn });
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('ends the session and lets the browser read "return_to not allowed" on the error page', async () => {
    const browser = new Jar(server.publicUrl);
    // The browser has a CSRF cookie from an earlier flow, and a session.
    await browser.get('/self-service/login/browser', HTML);
    const csrfBefore = browser.csrfCookie();
    expect(csrfBefore).toBeDefined();
    const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
    const { data: identity } = await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: { email: 'logout@example.com', fullname: 'Ada', phone_number: 1, user_type: 'student' },
      },
    });
    const [issued] = await issueSessions(server, identity.id);
    browser.set(server.sessionCookie(issued?.token ?? ''));
    const links = await browser.get('/self-service/logout/browser', 'application/json');
    const { logout_token } = (await links.json()) as { logout_token: string };

    const out = await browser.get(
      `/self-service/logout?token=${logout_token}&return_to=${encodeURIComponent('https://evil.example/')}`,
      HTML,
    );
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${server.publicUrl}/ui/error`);
    const errorId = location.searchParams.get('id') ?? '';
    // Signed out first, as Kratos: the session cookie is gone and the CSRF secret is new.
    expect(browser.cookies.has('ory_kratos_session')).toBe(false);
    expect(browser.csrfCookie()).not.toBe(csrfBefore);
    expect((await browser.get('/sessions/whoami', 'application/json')).status).toBe(401);

    const read = await browser.get(`/self-service/errors?id=${errorId}`, 'application/json');
    expect(read.status).toBe(200);
    const body = (await read.json()) as { error: { id: string; reason: string } };
    expect(body.error).toMatchObject({
      id: 'self_service_flow_return_to_forbidden',
      reason: expect.stringContaining('https://evil.example/'),
    });

    // The built-in error page shows that reason, not "something went wrong".
    const page = await browser.get(`/ui/error?id=${errorId}`, HTML);
    const html = await page.text();
    expect(elementById(html, 'error-reason')?.text).toBe(body.error.reason);

    // Stored for the browser as it is after the logout: its new CSRF secret, as Kratos.
    const row = await server.registry.database.db
      .selectFrom('selfservice_errors')
      .select('csrf_token')
      .where('id', '=', errorId)
      .executeTakeFirstOrThrow();
    const secret = decodeCsrfCookie(browser.csrfCookie(), server.registry.config.secrets.cookie);
    expect(secret).toBeDefined();
    expect(row.csrf_token).toBe(csrfBinding(secret ?? Buffer.alloc(0)));
  });
});
