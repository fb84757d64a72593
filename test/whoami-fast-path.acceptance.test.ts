/**
 * whoami answered from memory before Fastify routes it (src/session/whoami-fast-path.ts) gives the
 * very answer of the whoami route, and declines every case it does not own. The route's own
 * answer is reached through `/sessions/whoami/` (the same route: trailing slashes are ignored),
 * which the fast path never takes.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoamiFastPath } from '../src/session/whoami-fast-path.js';
import { createExamIdentity, examTraits, PASSWORD } from './support/identities.js';
import { issueSessions } from './support/sessions.js';
import { useTestServer } from './support/suite-server.js';
import { startUiTestServer, type UiTestServer } from './support/ui-server.js';

const SPA = 'https://spa.example.com';

/** Status, headers (but the clock's) and body: what a client can tell apart. */
async function answer(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  const seen = [...response.headers].filter(([name]) => name !== 'date');
  return { status: response.status, headers: seen, body: await response.text() };
}

/** The raw answer (status line, header lines in order, body) to a GET on its own connection, Date left out. */
function rawAnswer(base: string, path: string, headers: Record<string, string>): Promise<string> {
  const { hostname, port } = new URL(base);
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(text.replace(/^Date: .*\r\n/m, '')));
  });
}

/** `http_requests_total` of whoami's GETs answered 200, from the admin listener's scrape. */
async function whoamiCount(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics/prometheus`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('http_requests_total{') &&
        l.includes('endpoint="/sessions/whoami"') &&
        l.includes('code="200"') &&
        l.includes('method="GET"'),
    );
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('whoami from memory, before routing', () => {
  const suite = useTestServer(undefined, {
    publicListener: { cors: { enabled: true, allowed_origins: [SPA], allow_credentials: true } },
  });

  it('answers as the whoami route does, for a token, a bearer token and a session cookie, CORS included', async () => {
    const { server, admin } = suite;
    const identity = await createExamIdentity(admin, 'fast-path@example.com');
    const [issued] = await issueSessions(server, identity.id);
    const token = issued?.token ?? '';
    const session = issued?.session.id;
    const cookie = server.sessionCookie(token, new Date(Date.now() + 3_600_000 * 24 * 30));
    const cases: Record<string, string>[] = [
      { 'x-session-token': token },
      { authorization: `Bearer ${token}` },
      { cookie, origin: SPA },
      { 'x-session-token': token, origin: 'https://elsewhere.example.com' },
    ];
    for (const headers of cases) {
      const fast = await answer(`${server.publicUrl}/sessions/whoami`, headers);
      const routed = await answer(`${server.publicUrl}/sessions/whoami/`, headers);
      expect(fast.status).toBe(200);
      expect(JSON.parse(fast.body).id).toBe(session);
      expect(fast).toEqual(routed);
      // Byte for byte, header order included (fetch sorts the headers it shows).
      expect(await rawAnswer(server.publicUrl, '/sessions/whoami', headers)).toBe(
        await rawAnswer(server.publicUrl, '/sessions/whoami/', headers),
      );
    }
    const withOrigin = await answer(`${server.publicUrl}/sessions/whoami`, { cookie, origin: SPA });
    expect(withOrigin.headers).toContainEqual(['access-control-allow-origin', SPA]);
    expect(withOrigin.headers).toContainEqual(['x-kratos-authenticated-identity-id', identity.id]);
  });

  it('counts its answers in the whoami route metrics', async () => {
    const { server, admin } = suite;
    const identity = await createExamIdentity(admin, 'fast-path-metrics@example.com');
    const [issued] = await issueSessions(server, identity.id);
    const before = await whoamiCount(server.adminUrl);
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${server.publicUrl}/sessions/whoami`, {
        headers: { 'x-session-token': issued?.token ?? '' },
      });
      expect(response.status).toBe(200);
    }
    expect(await whoamiCount(server.adminUrl)).toBe(before + 3);
  });

  describe('declines what is not its plain case (the route answers it)', () => {
    let raw: Server;
    let rawUrl = '';
    beforeAll(async () => {
      const { registry } = suite.server;
      const fastPath = whoamiFastPath({
        sessions: registry.sessions,
        tokens: {
          cookieName: registry.sessionConfig.cookie.name,
          cookieKeys: registry.config.secrets.cookie,
        },
      });
      // A bare server in front of the fast path: 299 "declined" whenever it hands the request on.
      raw = createServer((request, response) => {
        if (fastPath(request, response)) return;
        response.writeHead(299).end('declined');
      });
      await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
      rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => raw.close(() => resolve())));

    /** One whoami on the server itself: the route loads the session into memory. */
    async function warm(token: string): Promise<void> {
      const response = await fetch(`${suite.server.publicUrl}/sessions/whoami`, {
        headers: { 'x-session-token': token },
      });
      expect(response.status).toBe(200);
    }

    async function statusOf(path: string, init: RequestInit): Promise<number> {
      const response = await fetch(`${rawUrl}${path}`, init);
      await response.arrayBuffer();
      return response.status;
    }

    it('takes a known session and declines other paths, methods, queries and unknown tokens', async () => {
      const { server, admin } = suite;
      const identity = await createExamIdentity(admin, 'fast-path-declines@example.com');
      const [issued] = await issueSessions(server, identity.id);
      const token = issued?.token ?? '';
      const headers = { 'x-session-token': token };
      // Issued but never asked for: not in memory yet.
      expect(await statusOf('/sessions/whoami', { headers })).toBe(299);
      await warm(token);
      expect(await statusOf('/sessions/whoami', { headers })).toBe(200);
      expect(await statusOf('/sessions/whoami?tokenize_as=jwt', { headers })).toBe(299);
      expect(await statusOf('/sessions/whoami/', { headers })).toBe(299);
      expect(await statusOf('/sessions', { headers })).toBe(299);
      expect(await statusOf('/sessions/whoami', { headers, method: 'HEAD' })).toBe(299);
      expect(await statusOf('/sessions/whoami', { headers, method: 'POST' })).toBe(299);
      expect(await statusOf('/sessions/whoami', {})).toBe(299);
      expect(await statusOf('/sessions/whoami', { headers: { 'x-session-token': `${token}x` } })).toBe(299);
      expect(await statusOf('/sessions/whoami', { headers: { 'x-session-token': 'not-a-token' } })).toBe(299);
    });

    it('declines a cookie that must be written again, and a session revoked or of a disabled identity', async () => {
      const { server, admin } = suite;
      const identity = await createExamIdentity(admin, 'fast-path-gone@example.com');
      const [first, second] = await issueSessions(server, identity.id, 2);
      const firstToken = first?.token ?? '';
      const secondToken = second?.token ?? '';
      await warm(firstToken);
      await warm(secondToken);
      // Written without the expiry (as older cookies were): the route writes it again.
      expect(
        await statusOf('/sessions/whoami', { headers: { cookie: server.sessionCookie(firstToken) } }),
      ).toBe(299);
      const later = server.sessionCookie(firstToken, new Date(Date.now() + 3_600_000 * 24 * 30));
      expect(await statusOf('/sessions/whoami', { headers: { cookie: later } })).toBe(200);

      await server.registry.sessions.revoke(first?.session.id ?? '');
      expect(await statusOf('/sessions/whoami', { headers: { 'x-session-token': firstToken } })).toBe(299);
      expect(await statusOf('/sessions/whoami', { headers: { 'x-session-token': secondToken } })).toBe(200);
      await admin.patchIdentity({
        id: identity.id,
        jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }],
      });
      expect(await statusOf('/sessions/whoami', { headers: { 'x-session-token': secondToken } })).toBe(299);
      // And the server's own answer, through the fast path's listener, is the route's 401.
      const routed = await fetch(`${server.publicUrl}/sessions/whoami`, {
        headers: { 'x-session-token': secondToken },
      });
      expect(routed.status).toBe(401);
    });
  });
});

describe("whoami from memory on the server's own listener", () => {
  let server: UiTestServer | undefined;
  /** The whoami requests Fastify routed (its onRequest hooks ran). */
  const routed: string[] = [];
  beforeAll(async () => {
    server = await startUiTestServer({
      dsn: 'memory',
      dev: false,
      extraConfig: {
        selfservice: {
          default_browser_return_url: 'http://127.0.0.1:1/',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: { registration: { after: { password: { hooks: [{ hook: 'session' }] } } } },
        },
      },
      beforeListen: (app) =>
        app.addHook('onRequest', (request, _reply, done) => {
          if (request.url.startsWith('/sessions/whoami')) routed.push(request.url);
          done();
        }),
    });
  });
  afterAll(() => server?.close());

  it('answers a known session without Fastify, and routes the rest', async () => {
    const origin = server?.origin ?? '';
    const flow = (await (await fetch(`${origin}/self-service/registration/api`)).json()) as {
      id: string;
    };
    const registered = await fetch(`${origin}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        method: 'password',
        password: PASSWORD,
        traits: examTraits('own-listener@example.com'),
      }),
    });
    expect(registered.status).toBe(200);
    const { session_token: token } = (await registered.json()) as { session_token: string };
    const whoami = (path: string) => fetch(`${origin}${path}`, { headers: { 'x-session-token': token } });

    // The first may have to load the session; from then on it is in memory.
    expect((await whoami('/sessions/whoami')).status).toBe(200);
    routed.length = 0;
    for (let i = 0; i < 3; i++) expect((await whoami('/sessions/whoami')).status).toBe(200);
    expect(routed).toEqual([]);
    expect((await whoami('/sessions/whoami/')).status).toBe(200);
    expect((await whoami('/sessions/whoami?tokenize_as=')).status).toBe(200);
    expect(routed).toEqual(['/sessions/whoami/', '/sessions/whoami?tokenize_as=']);
  });
});
