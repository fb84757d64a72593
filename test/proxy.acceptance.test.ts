import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateJwk } from '../src/proxy/jwks/index.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

/** What the echo upstream saw. */
interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An upstream on loopback that records every request and answers it with what it saw. */
async function startEcho(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive',
        'x-upstream': 'echo',
      });
      res.end(JSON.stringify(entry));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const NGINX = '/usr/sbin/nginx';

async function waitForPort(port: number, diagnostics: () => Promise<string>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}: ${await diagnostics()}`);
}

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('access proxy and decision API (real HTTP, in-process whoami)', () => {
  let server: TestServer;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxyPort: number;
  let nginxPort: number;
  let publicUrl: string;
  let proxy: Client;
  let api: Client;
  let signingKeys: { keys: JWK[] };

  beforeAll(async () => {
    signingKeys = { keys: [await generateJwk('ES256', 'signing-key-1')] };
    echo = await startEcho();
    const [publicPort, apiPort, closedPort] = [await freePort(), await freePort(), await freePort()];
    proxyPort = await freePort();
    nginxPort = await freePort();
    publicUrl = `http://127.0.0.1:${publicPort}`;
    const hostOf = (name: string) => `http://${name}:${proxyPort}`;
    const rules = [
      // The issue's rule, moved to loopback (a host we control, upstream the echo server).
      {
        id: 'exam-taking-rule',
        upstream: { url: echo.url },
        match: {
          url: `${hostOf('exam.test')}/<.*>`,
          methods: ['GET', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'HEAD'],
        },
        authenticators: [{ handler: 'cookie_session' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } }],
        errors: [{ handler: 'redirect' }],
      },
      // The same rule for the host nginx protects (auth_request to /decisions).
      {
        id: 'exam-taking-rule-nginx',
        upstream: { url: echo.url },
        match: { url: `http://exam-nginx.test:${nginxPort}/<.*>`, methods: ['GET', 'POST'] },
        authenticators: [{ handler: 'cookie_session' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } }],
        errors: [{ handler: 'redirect' }],
      },
      {
        id: 'public',
        upstream: { url: echo.url },
        match: { url: `${hostOf('tricks.test')}/public/<.*>`, methods: ['GET', 'POST'] },
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'noop' }],
      },
      {
        id: 'admin-denied',
        upstream: { url: echo.url },
        match: { url: `${hostOf('tricks.test')}/admin<.*>`, methods: ['GET', 'POST'] },
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'deny' },
        mutators: [{ handler: 'noop' }],
      },
      {
        id: 'mixed',
        upstream: { url: `${echo.url}/base`, strip_path: '/mixed' },
        match: { url: `${hostOf('mixed.test')}/mixed/<.*>`, methods: ['GET'] },
        authenticators: [{ handler: 'cookie_session' }, { handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
      },
      {
        id: 'token',
        upstream: { url: echo.url },
        match: { url: `${hostOf('token.test')}/<.*>`, methods: ['GET'] },
        authenticators: [{ handler: 'cookie_session' }],
        authorizer: { handler: 'allow' },
        mutators: [
          {
            handler: 'id_token',
            config: { claims: '{"aud": ["exam-api"], "email": "{{ print .Subject }}"}' },
          },
        ],
        errors: [{ handler: 'json' }],
      },
      {
        id: 'down',
        upstream: { url: `http://127.0.0.1:${closedPort}` },
        match: { url: `${hostOf('down.test')}/<.*>`, methods: ['GET'] },
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'noop' }],
      },
    ];
    server = await startTestServer({
      dsn: 'memory',
      publicListener: { port: publicPort, base_url: `${publicUrl}/` },
      listeners: {
        proxy: { host: '127.0.0.1', port: proxyPort },
        api: { host: '127.0.0.1', port: apiPort },
      },
      extraConfig: {
        access_rules: {
          repositories: [`inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`],
        },
        authenticators: {
          cookie_session: {
            enabled: true,
            config: {
              check_session_url: `${publicUrl}/sessions/whoami`,
              preserve_path: true,
              subject_from: 'identity.traits.email',
              extra_from: '@this',
            },
          },
          anonymous: { enabled: true },
        },
        authorizers: { allow: { enabled: true }, deny: { enabled: true } },
        mutators: {
          header: { enabled: true, config: { headers: {} } },
          noop: { enabled: true },
          id_token: {
            enabled: true,
            config: {
              issuer_url: 'https://id.exam.test/',
              jwks_url: `base64://${Buffer.from(JSON.stringify(signingKeys)).toString('base64')}`,
            },
          },
        },
        errors: {
          fallback: ['json'],
          handlers: {
            json: { enabled: true, config: { verbose: true } },
            redirect: {
              enabled: true,
              config: {
                to: `${publicUrl}/self-service/login/browser`,
                return_to_query_param: 'return_to',
                when: [
                  { error: ['unauthorized', 'forbidden'], request: { header: { accept: ['text/html'] } } },
                ],
              },
            },
          },
        },
      },
    });
    if (server.accessProxy?.proxyUrl === undefined || server.accessProxy.apiUrl === undefined)
      throw new Error('access proxy not started');
    proxy = new Client(server.accessProxy.proxyUrl);
    api = new Client(server.accessProxy.apiUrl);
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
    await server?.close();
    await echo?.close();
  });

  /** A raw request (the path is sent exactly as written, Host as given). */
  async function send(
    client: Client,
    host: string,
    path: string,
    headers: Record<string, string> = {},
    method = 'GET',
    body?: string,
  ) {
    const res = await client.request({
      method: method as 'GET',
      path,
      headers: { host, ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }
  const exam = () => `exam.test:${proxyPort}`;

  async function signedIn(email: string) {
    const created = await fetch(`${server.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema_id: 'exam',
        traits: { email, fullname: 'Ada', phone_number: 1, user_type: 'student' },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stored = await server.registry.identityStore.get(id);
    if (!stored) throw new Error('identity not stored');
    const issued = await server.registry.sessions.issue(stored, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: '127.0.0.1', userAgent: 'vitest' },
    });
    return { cookie: server.sessionCookie(issued.token), session: issued.session, token: issued.token };
  }

  describe('proxy mode', () => {
    it('redirects an anonymous browser to the login page with return_to', async () => {
      const before = echo.seen.length;
      const res = await send(proxy, exam(), '/dashboard?tab=1', { accept: BROWSER });
      expect(res.status).toBe(302);
      const location = new URL(String(res.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(`${publicUrl}/self-service/login/browser`);
      expect(location.searchParams.get('return_to')).toBe(`http://${exam()}/dashboard?tab=1`);
      expect(echo.seen.length).toBe(before);
    });

    it('answers an API client with a JSON 401', async () => {
      const res = await send(proxy, exam(), '/api/results', { accept: 'application/json' });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 401, status: 'Unauthorized' } });
    });

    it('forwards a signed-in request with X-USER-EMAIL, never the one the client injected, until revoked', async () => {
      const { cookie, session } = await signedIn('student@example.com');
      const res = await send(proxy, exam(), '/exam/42?q=a%20b', {
        cookie,
        accept: BROWSER,
        'x-user-email': 'admin@example.com',
        'X-User-Email': 'root@example.com',
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-upstream']).toBe('echo');
      const seen = JSON.parse(res.text) as Seen;
      expect(seen.path).toBe('/exam/42?q=a%20b');
      expect(seen.headers['x-user-email']).toBe('student@example.com');
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen.headers['x-forwarded-proto']).toBe('http');
      expect(seen.headers['x-forwarded-host']).toBe(exam());
      expect(seen.headers.host).toBe(new URL(echo.url).host);

      // Request bodies stream through.
      const posted = await send(
        proxy,
        exam(),
        '/submit',
        { cookie, 'content-type': 'text/plain' },
        'POST',
        'answer=42',
      );
      expect(posted.status).toBe(200);
      expect((JSON.parse(posted.text) as Seen).body).toBe('answer=42');

      expect(await server.registry.sessions.revoke(session.id)).toBe(true);
      const after = await send(proxy, exam(), '/exam/42', { cookie, accept: 'application/json' });
      expect(after.status).toBe(401);
      const browser = await send(proxy, exam(), '/exam/42', { cookie, accept: BROWSER });
      expect(browser.status).toBe(302);
    });

    it('drops hop-by-hop headers and those Connection names', async () => {
      // undici rewrites Connection, node:http sends it as written.
      const seen = await new Promise<Seen>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: proxyPort,
            path: '/public/hop',
            headers: {
              host: `tricks.test:${proxyPort}`,
              connection: 'keep-alive, x-drop-me',
              'x-drop-me': 'hop',
              'proxy-authorization': 'Basic eDp5',
              te: 'deflate, trailers',
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve(JSON.parse(text) as Seen));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(seen.headers['x-drop-me']).toBeUndefined();
      expect(seen.headers['proxy-authorization']).toBeUndefined();
      // TE is hop-by-hop; only `trailers` is passed on, as Go's ReverseProxy does.
      expect(seen.headers.te).toBe('trailers');
    });

    it('forwards [cookie_session, anonymous] anonymous requests with the anonymous subject', async () => {
      const res = await send(proxy, `mixed.test:${proxyPort}`, '/mixed/page', { 'x-user': 'someone' });
      expect(res.status).toBe(200);
      const seen = JSON.parse(res.text) as Seen;
      expect(seen.headers['x-user']).toBe('anonymous');
      // strip_path removes the prefix, the upstream's path is prepended.
      expect(seen.path).toBe('/base/page');
      const { cookie } = await signedIn('mixed@example.com');
      const signed = await send(proxy, `mixed.test:${proxyPort}`, '/mixed/page', { cookie });
      expect((JSON.parse(signed.text) as Seen).headers['x-user']).toBe('mixed@example.com');
    });

    it('signs an id_token that verifies against the public JWKS (issuer, audience, kid, exp)', async () => {
      const { cookie } = await signedIn('token@example.com');
      const res = await send(proxy, `token.test:${proxyPort}`, '/api/grades', { cookie });
      expect(res.status).toBe(200);
      const authorization = String((JSON.parse(res.text) as Seen).headers.authorization ?? '');
      expect(authorization.startsWith('Bearer ')).toBe(true);
      const jwks = await send(api, 'localhost', '/.well-known/jwks.json');
      const published = JSON.parse(jwks.text) as { keys: JWK[] };
      expect(published.keys.map((k) => k.kid)).toEqual(['signing-key-1']);
      // Public keys only: no private member leaves the server.
      expect(published.keys[0]).not.toHaveProperty('d');
      const { payload, protectedHeader } = await jwtVerify(
        authorization.slice('Bearer '.length),
        createLocalJWKSet(published),
        { issuer: 'https://id.exam.test/', audience: 'exam-api' },
      );
      expect(protectedHeader.kid).toBe('signing-key-1');
      expect(payload.sub).toBe('token@example.com');
      expect(payload.email).toBe('token@example.com');
      expect((payload.exp ?? 0) * 1000).toBeGreaterThan(Date.now());
    });

    it('answers 404 without a rule and 502 when the upstream is down, in Oathkeeper JSON', async () => {
      const none = await send(proxy, `nowhere.test:${proxyPort}`, '/x');
      expect(none.status).toBe(404);
      expect(JSON.parse(none.text)).toMatchObject({ error: { code: 404 } });
      const down = await send(proxy, `down.test:${proxyPort}`, '/x');
      expect(down.status).toBe(502);
      expect(JSON.parse(down.text)).toEqual({
        error: { code: 502, status: 'Bad Gateway', message: 'The upstream could not be reached' },
      });
    });
  });

  describe('decision API', () => {
    const forwarded = (uri: string, extra: Record<string, string> = {}) => ({
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': exam(),
      'x-forwarded-uri': uri,
      ...extra,
    });

    it('allows a signed-in request with the mutated headers, refuses it after revocation', async () => {
      const { cookie, session } = await signedIn('decide@example.com');
      const res = await send(api, 'gateway.internal', '/decisions', forwarded('/exam/1', { cookie }));
      expect(res.status).toBe(200);
      expect(res.headers['x-user-email']).toBe('decide@example.com');
      await server.registry.sessions.revoke(session.id);
      const after = await send(
        api,
        'gateway.internal',
        '/decisions',
        forwarded('/exam/1', { cookie, accept: 'application/json' }),
      );
      expect(after.status).toBe(401);
    });

    it('redirects browsers, answers API clients with 401 JSON, and 404 for no rule', async () => {
      const browser = await send(
        api,
        'gateway.internal',
        '/decisions',
        forwarded('/exam/1?x=1', { accept: BROWSER }),
      );
      expect(browser.status).toBe(302);
      expect(new URL(String(browser.headers.location)).searchParams.get('return_to')).toBe(
        `http://${exam()}/exam/1?x=1`,
      );
      const apiClient = await send(api, 'gateway.internal', '/decisions', forwarded('/exam/1'));
      expect(apiClient.status).toBe(401);
      expect(JSON.parse(apiClient.text)).toMatchObject({ error: { code: 401 } });
      const none = await send(
        api,
        'gateway.internal',
        '/decisions',
        forwarded('/x', { 'x-forwarded-host': 'other.test' }),
      );
      expect(none.status).toBe(404);
    });

    it('falls back to the decision request itself without X-Forwarded-*', async () => {
      const res = await send(api, `tricks.test:${proxyPort}`, '/decisions/public/page');
      expect(res.status).toBe(200);
      const denied = await send(api, `tricks.test:${proxyPort}`, '/decisions/admin');
      expect(denied.status).toBe(403);
      const bad = await send(api, `tricks.test:${proxyPort}`, '/decisions/public/%2e%2e/admin');
      expect(bad.status).toBe(400);
    });
  });

  describe('rules API and health', () => {
    it('lists rules and gets one by id in Oathkeeper shape', async () => {
      const list = await send(api, 'x', '/rules');
      expect(list.status).toBe(200);
      const rules = JSON.parse(list.text) as Array<{ id: string }>;
      expect(rules.map((r) => r.id)).toContain('exam-taking-rule');
      const one = await send(api, 'x', '/rules/exam-taking-rule');
      expect(JSON.parse(one.text)).toMatchObject({
        id: 'exam-taking-rule',
        authorizer: { handler: 'allow' },
        upstream: { url: echo.url, preserve_host: false, strip_path: '' },
      });
      expect((await send(api, 'x', '/rules/nope')).status).toBe(404);
      expect((await send(api, 'x', '/health/alive')).status).toBe(200);
      expect((await send(api, 'x', '/health/ready')).status).toBe(200);
    });
  });

  describe('path and header tricks never reach a denied upstream path', () => {
    const tricks: Array<{ path: string; headers?: Record<string, string>; host?: string; status: number }> = [
      { path: '/admin', status: 403 },
      { path: '/public/../admin', status: 403 },
      { path: '/public/./../admin/users', status: 403 },
      { path: '/public/%2e%2e/admin', status: 400 },
      { path: '/public/%2E%2E/admin', status: 400 },
      { path: '/public/.%2e/admin', status: 400 },
      { path: '/public/..%2fadmin', status: 400 },
      { path: '/public%2f..%2fadmin', status: 400 },
      { path: '/public/..%5cadmin', status: 400 },
      { path: '/public/..\\admin', status: 400 },
      { path: '//admin', status: 403 },
      { path: '/public//../admin', status: 403 },
      { path: '/%61dmin', status: 403 },
      { path: '/ADMIN', status: 404 },
      { path: '/Admin/users', status: 404 },
      { path: '/admin.', status: 403 },
      { path: '/admin/.', status: 403 },
      { path: '/public/..;/admin', status: 200 },
      { path: '/public/x%00/../../admin', status: 400 },
      { path: '/admin', host: 'TRICKS.TEST.', status: 403 },
      {
        path: '/public/x',
        headers: { 'x-forwarded-uri': '/admin', 'x-original-url': '/admin' },
        status: 200,
      },
      {
        path: '/public/x',
        headers: { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https' },
        status: 200,
      },
      {
        path: '/public/x',
        headers: { 'x-forwarded-for': '10.0.0.1', forwarded: 'for=10.0.0.1' },
        status: 200,
      },
    ];

    it.each(tricks)('proxy: $path $headers', async ({ path, headers, host, status }) => {
      const before = echo.seen.length;
      const res = await send(proxy, `${host ?? 'tricks.test'}:${proxyPort}`, path, headers ?? {});
      expect(res.status).toBe(status);
      const reached = echo.seen.slice(before);
      for (const seen of reached) {
        expect(seen.path.toLowerCase()).not.toMatch(/^\/+(%61|a)dmin/);
        expect(seen.path).toMatch(/^\/public\//);
        expect(seen.headers['x-forwarded-host']).toBe(`tricks.test:${proxyPort}`);
        expect(seen.headers['x-forwarded-proto']).toBe('http');
        expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
        expect(seen.headers.forwarded).toBeUndefined();
      }
    });

    it('decision API: a table of X-Forwarded-Uri tricks is never allowed for /admin', async () => {
      for (const { path, status } of tricks.filter((t) => t.headers === undefined && t.host === undefined)) {
        const res = await send(api, 'gateway.internal', '/decisions', {
          'x-forwarded-method': 'GET',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': `tricks.test:${proxyPort}`,
          'x-forwarded-uri': path,
        });
        expect([path, res.status]).toEqual([path, status]);
      }
    });
  });

  /**
   * Debian's nginx (installed by .ci/run's ensure_nginx) protects the echo upstream with
   * `auth_request` to the decision API and passes X-USER-EMAIL on with `auth_request_set`.
   */
  describe('behind a real nginx (auth_request)', () => {
    let nginx: ChildProcess | undefined;
    let dir: string;
    let nginxClient: Client;

    beforeAll(async () => {
      if (!existsSync(NGINX))
        throw new Error(`${NGINX} is missing: run .ci/run (ensure_nginx) or apt-get install nginx`);
      dir = await mkdtemp(join(tmpdir(), 'portcullis-nginx-'));
      await chmod(dir, 0o755);
      const apiUrl = server.accessProxy?.apiUrl ?? '';
      const conf = join(dir, 'nginx.conf');
      await writeFile(
        conf,
        `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      auth_request /_decisions;
      auth_request_set $user_email $upstream_http_x_user_email;
      proxy_set_header X-User-Email $user_email;
      proxy_pass ${echo.url};
    }
    location = /_decisions {
      internal;
      proxy_pass ${apiUrl}/decisions;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;
    }
  }
}
`,
      );
      nginx = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: 'ignore' });
      await waitForPort(nginxPort, async () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''));
      nginxClient = new Client(`http://127.0.0.1:${nginxPort}`);
    });
    afterAll(async () => {
      await nginxClient?.close();
      if (nginx?.exitCode === null) {
        const exited = new Promise((resolve) => nginx?.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('refuses anonymous requests and passes the identity header on for a session', async () => {
      const host = `exam-nginx.test:${nginxPort}`;
      const before = echo.seen.length;
      const anonymous = await send(nginxClient, host, '/exam/1', { accept: 'application/json' });
      expect(anonymous.status).toBe(401);
      expect(echo.seen.length).toBe(before);

      const { cookie, session } = await signedIn('nginx@example.com');
      const res = await send(nginxClient, host, '/exam/1?x=2', {
        cookie,
        'x-user-email': 'admin@example.com',
      });
      expect(res.status).toBe(200);
      const seen = JSON.parse(res.text) as Seen;
      expect(seen.path).toBe('/exam/1?x=2');
      expect(seen.headers['x-user-email']).toBe('nginx@example.com');

      await server.registry.sessions.revoke(session.id);
      const revoked = await send(nginxClient, host, '/exam/1', { cookie, accept: 'application/json' });
      expect(revoked.status).toBe(401);
    });
  });
});
