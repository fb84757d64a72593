import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The shapes our users deploy: the public API behind a gateway on a path prefix (the gateway
 * strips it), and an SPA on another origin calling it with credentials.
 */
describe('behind a gateway on a path prefix, with an SPA on another origin', () => {
  let server: TestServer;
  const base = 'https://app.example.com/.ory/kratos/';

  beforeAll(async () => {
    server = await startTestServer({
      dsn: 'memory',
      publicListener: {
        base_url: base,
        cors: {
          enabled: true,
          allowed_origins: ['https://spa.example.com', 'https://*.preview.example.com'],
          allow_credentials: true,
        },
      },
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'https://spa.example.com/',
          allowed_return_urls: ['https://spa.example.com/'],
          flows: { login: { ui_url: 'https://spa.example.com/login' } },
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('emits every URL under the configured base URL, never the Host it was reached on', async () => {
    const response = await fetch(
      `${server.publicUrl}/self-service/login/browser?return_to=https://spa.example.com/x`,
      {
        headers: { accept: 'application/json', host: 'internal:4433' },
      },
    );
    expect(response.status).toBe(200);
    const flow = (await response.json()) as { id: string; ui: { action: string }; request_url: string };
    expect(flow.ui.action).toBe(`${base}self-service/login?flow=${flow.id}`);
    expect(flow.request_url).toBe(`${base}self-service/login/browser?return_to=https://spa.example.com/x`);

    const html = await fetch(`${server.publicUrl}/self-service/login/browser`, { redirect: 'manual' });
    expect(html.headers.get('location')).toMatch(/^https:\/\/spa\.example\.com\/login\?flow=/);

    // The admin API is never served on the public listener: as Kratos's public router, it only
    // points there (307 to serve.admin.base_url), whatever Host the request came with.
    const admin = await fetch(`${server.publicUrl}/admin/identities`, {
      redirect: 'manual',
      headers: { host: 'internal:4433' },
    });
    expect(admin.status).toBe(307);
    expect(admin.headers.get('location')).toBe(
      new URL('./admin/identities', server.registry.config.serve.admin.baseUrl).toString(),
    );
  });

  it('sends the public routes asked of the admin listener on to the public base URL, as Kratos', async () => {
    const sent = async (method: string, path: string) => {
      const response = await fetch(`${server.adminUrl}${path}`, { method, redirect: 'manual' });
      return { status: response.status, location: response.headers.get('location') };
    };
    expect(await sent('GET', '/admin/self-service/login/api?refresh=true')).toEqual({
      status: 307,
      location: `${base}self-service/login/api?refresh=true`,
    });
    expect(await sent('POST', '/self-service/registration?flow=f')).toEqual({
      status: 307,
      location: `${base}self-service/registration?flow=f`,
    });
    expect(await sent('DELETE', '/admin/self-service/logout/api')).toEqual({
      status: 307,
      location: `${base}self-service/logout/api`,
    });
    expect(await sent('GET', '/sessions/whoami')).toEqual({
      status: 307,
      location: `${base}sessions/whoami`,
    });
    expect(await sent('POST', '/admin/sessions/whoami')).toEqual({
      status: 307,
      location: `${base}sessions/whoami`,
    });
    expect(await sent('DELETE', '/admin/sessions')).toEqual({ status: 307, location: `${base}sessions` });
    // The admin API itself stays where it is.
    expect((await sent('GET', '/admin/identities')).status).toBe(200);
  });

  it('answers CORS preflights for allowed origins, with credentials', async () => {
    for (const origin of ['https://spa.example.com', 'https://pr-7.preview.example.com']) {
      const preflight = await fetch(`${server.publicUrl}/self-service/login/browser`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-csrf-token',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    }
    // The SPA must be able to read the 401 of a whoami without a session, not only successes.
    const simple = await fetch(`${server.publicUrl}/sessions/whoami`, {
      headers: { origin: 'https://spa.example.com' },
    });
    expect(simple.status).toBe(401);
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://spa.example.com');
    expect(simple.headers.get('access-control-allow-credentials')).toBe('true');
    expect(simple.headers.get('vary')).toMatch(/Origin/);
  });

  it('keeps Vary: Origin beside what the built-in UI varies on', async () => {
    const page = await fetch(`${server.publicUrl}/ui/error`, {
      headers: { origin: 'https://spa.example.com' },
    });
    expect(page.headers.get('access-control-allow-origin')).toBe('https://spa.example.com');
    expect(page.headers.get('vary')).toBe('Origin, Accept-Language, Cookie');
  });

  it('grants a preflight only the method and headers it asked for, when all are allowed (as Kratos)', async () => {
    const ask = (headers: string) =>
      fetch(`${server.publicUrl}/self-service/login?flow=x`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://spa.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': headers,
        },
      });
    const allowed = await ask('content-type, x-session-token');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type, x-session-token');
    const refused = await ask('content-type, x-not-configured');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives other origins no CORS grant', async () => {
    const preflight = await fetch(`${server.publicUrl}/self-service/login/browser`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS with allowed_origins "*"', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dsn: 'memory', publicListener: { cors: { enabled: true } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers any origin with a literal * and never with credentials', async () => {
    const response = await fetch(`${server.publicUrl}/sessions/whoami`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('dsn: memory outside --dev', () => {
  it('migrates the in-memory database by itself, as Kratos: no migrate command could reach it', async () => {
    const server = await startTestServer({ dsn: 'memory', serverMigrates: true });
    try {
      const ready = await fetch(`${server.adminUrl}/health/ready`);
      expect(ready.status).toBe(200);
      const identities = await fetch(`${server.adminUrl}/admin/identities`);
      expect(identities.status).toBe(200);
      expect(await identities.json()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
