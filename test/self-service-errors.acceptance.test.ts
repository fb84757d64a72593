/**
 * Kratos's self-service error store over HTTP: an error a browser flow cannot show on a flow
 * is stored for the browser that hit it, which lands on `selfservice.flows.error.ui_url?id=`
 * (the built-in UI's error page by default) and reads it from `GET /self-service/errors`;
 * JSON clients get the error directly, as before.
 */

import { randomUUID } from 'node:crypto';
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementById } from '../src/ui/testing/html.js';
import { BrowserClient } from './support/browser-client.js';
import { HTML_ACCEPT, startBrowserLogin } from './support/browser-login.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface FlowErrorBody {
  id: string;
  error: { id?: string; code: number; status: string; reason?: string; message: string };
  created_at: string;
  updated_at: string;
}

describe.each(testDatabases())('self-service errors ($name)', (database) => {
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

  /** A browser with a login flow of its own (and so its CSRF cookie). */
  async function browserWithLoginFlow(): Promise<{ browser: BrowserClient; flowId: string }> {
    const browser = new BrowserClient(server.publicUrl);
    const { flowId } = await startBrowserLogin(browser);
    return { browser, flowId };
  }

  /** The error id of a redirect to the error UI (`<public>/ui/error?id=`). */
  function errorIdOf(response: Response): string {
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${server.publicUrl}/ui/error`);
    const id = location.searchParams.get('id') ?? '';
    expect(id).toMatch(UUID);
    return id;
  }

  describe('a CSRF violation on a browser login form', () => {
    let owner: BrowserClient;
    let errorId: string;

    beforeAll(async () => {
      const started = await browserWithLoginFlow();
      owner = started.browser;
      const posted = await owner.postForm(`/self-service/login?flow=${started.flowId}`, {
        method: 'password',
        identifier: 'ada@example.com',
        password: 'a long passphrase',
        csrf_token: 'forged',
      });
      errorId = errorIdOf(posted);
    });

    it('lands on the error UI, where the same browser reads the error', async () => {
      const response = await owner.getJson(`/self-service/errors?id=${errorId}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as FlowErrorBody;
      expect(body).toMatchObject({
        id: errorId,
        error: { id: 'security_csrf_violation', code: 403, status: 'Forbidden' },
      });
      expect(Date.parse(body.created_at)).not.toBeNaN();
      expect(Date.parse(body.updated_at)).not.toBeNaN();

      // The built-in UI's error page shows it to that browser: status, message, reason, reference.
      const page = await owner.request(`/ui/error?id=${errorId}`, { headers: { accept: HTML_ACCEPT } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(elementById(html, 'error-status')?.text).toBe('403 Forbidden');
      expect(elementById(html, 'error-text')?.text).toBe(body.error.message);
      expect(elementById(html, 'error-reason')?.text).toBe(body.error.reason);
      expect(elementById(html, 'error-reference')?.text).toContain(errorId);
    });

    it('lets whoever holds the id read it, as Kratos (server-side error UIs send no cookies)', async () => {
      const stranger = new BrowserClient(server.publicUrl);
      const bare = await stranger.getJson(`/self-service/errors?id=${errorId}`);
      expect(bare.status).toBe(200);
      expect(((await bare.json()) as { error: { id: string } }).error.id).toBe('security_csrf_violation');

      const { browser: other } = await browserWithLoginFlow();
      const withCookie = await other.getJson(`/self-service/errors?id=${errorId}`);
      expect(withCookie.status).toBe(200);
    });

    it('still answers JSON clients with the error itself', async () => {
      const { browser, flowId } = await browserWithLoginFlow();
      const response = await browser.postJson(`/self-service/login?flow=${flowId}`, {
        method: 'password',
        identifier: 'ada@example.com',
        password: 'a long passphrase',
        csrf_token: 'forged',
      });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { id: string } }).error.id).toBe('security_csrf_violation');
    });
  });

  it('sends a browser with a forbidden return_to or an unknown flow to the error UI', async () => {
    const browser = new BrowserClient(server.publicUrl);
    const init = await browser.request('/self-service/login/browser?return_to=https://evil.example/', {
      headers: { accept: HTML_ACCEPT },
    });
    const forbidden = await browser.getJson(`/self-service/errors?id=${errorIdOf(init)}`);
    expect(((await forbidden.json()) as FlowErrorBody).error.id).toBe(
      'self_service_flow_return_to_forbidden',
    );

    const unknown = await browser.postForm(`/self-service/login?flow=${randomUUID()}`, {
      method: 'password',
    });
    const notFound = await browser.getJson(`/self-service/errors?id=${errorIdOf(unknown)}`);
    expect(((await notFound.json()) as FlowErrorBody).error.code).toBe(404);

    // The same mistakes from an SPA are answered as JSON.
    const spa = await browser.getJson('/self-service/login/browser?return_to=https://evil.example/');
    expect(spa.status).toBe(400);
  });

  it('answers flow fetches with JSON errors, as Kratos, even to a browser asking for HTML', async () => {
    const browser = new BrowserClient(server.publicUrl);
    for (const flow of ['login', 'registration', 'recovery', 'verification', 'settings']) {
      const response = await browser.request(`/self-service/${flow}/flows?id=${randomUUID()}`, {
        headers: { accept: HTML_ACCEPT },
      });
      expect(response.status, flow).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('content-type'), flow).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: { code: number } };
      expect(body.error.code, flow).toBe(response.status);
    }
  });

  it('answers 404 for an unknown error id', async () => {
    const response = await new BrowserClient(server.publicUrl).getJson(
      `/self-service/errors?id=${randomUUID()}`,
    );
    expect(response.status).toBe(404);
  });

  it('serves the stub errors to anyone, through @ory/client too', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    for (const [id, code] of [
      ['stub:500', 500],
      ['stub:400', 400],
      ['stub:404', 404],
    ] as const) {
      const { data } = await frontend.getFlowError({ id });
      expect(data.id).toMatch(UUID);
      expect(data.error).toMatchObject({ code, reason: 'This is a stub error.' });
    }
  });

  it('sends /.well-known/change-password to the settings UI', async () => {
    const response = await fetch(`${server.publicUrl}/.well-known/change-password`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${server.publicUrl}/ui/settings`);
  });
});

describe('registration switched off (sqlite)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          flows: { registration: { enabled: false } },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers Kratos's 400 self_service_flow_disabled, and sends browsers to the error UI with it", async () => {
    const native = await fetch(`${server.publicUrl}/self-service/registration/api`);
    expect(native.status).toBe(400);
    expect(await native.json()).toMatchObject({
      error: {
        id: 'self_service_flow_disabled',
        code: 400,
        message: 'registration flow disabled',
        reason: 'Registration is not allowed because it was disabled.',
      },
    });
    const browser = new BrowserClient(server.publicUrl);
    const page = await browser.request('/self-service/registration/browser', {
      headers: { accept: HTML_ACCEPT },
    });
    expect(page.status).toBe(303);
    const id = new URL(page.headers.get('location') ?? '').searchParams.get('id') ?? '';
    const stored = (await (await browser.getJson(`/self-service/errors?id=${id}`)).json()) as FlowErrorBody;
    expect(stored.error.id).toBe('self_service_flow_disabled');
  });
});
