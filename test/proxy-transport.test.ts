import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { type SelfSignedCert, selfSignedCert } from '../src/proxy/testing/self-signed-cert.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

/** What the upstream saw. */
interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * An upstream on loopback: /slow never answers (until the test ends), everything else answers
 * 200 with what it saw, setting CORS headers of its own that the proxy's policy must replace.
 * It also echoes WebSocket messages.
 */
async function startUpstream() {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/slow')) return;
    res.writeHead(200, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET',
      vary: 'Accept-Encoding',
      'x-request-id': 'r-1',
    });
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  // A handshake to /slow is never answered either.
  const wss = new WebSocketServer({
    server,
    verifyClient: (info, done) => {
      if (!info.req.url?.startsWith('/slow')) done(true);
    },
  });
  wss.on('connection', (ws, req) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    ws.on('message', (data: RawData) => ws.send(data.toString()));
  });
  // Upgraded sockets leave the HTTP server's books: destroy them on close, answered or not.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (_req, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      for (const socket of upgraded) socket.destroy();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Upstream = Awaited<ReturnType<typeof startUpstream>>;

const anonymousRule = (id: string, url: string, upstreamUrl: string) => ({
  id,
  upstream: { url: upstreamUrl },
  match: { url, methods: ['GET', 'POST', 'PUT', 'OPTIONS'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'noop' }],
});

const handlers = {
  authenticators: { anonymous: { enabled: true }, unauthorized: { enabled: true } },
  authorizers: { allow: { enabled: true } },
  mutators: { noop: { enabled: true } },
};

const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;

async function send(
  client: Client,
  host: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
) {
  const res = await client.request({ method: method as 'GET', path, headers: { host, ...headers } });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('proxy and API listeners: CORS and upstream timeouts', () => {
  let server: TestServer;
  let upstream: Upstream;
  let proxyPort: number;
  let proxy: Client;
  let api: Client;
  const host = () => `app.test:${proxyPort}`;
  const ORIGIN = 'https://app.example.com';

  beforeAll(async () => {
    upstream = await startUpstream();
    const closedPort = await freePort();
    proxyPort = await freePort();
    const rules = [
      anonymousRule('app', `http://app.test:${proxyPort}/<.*>`, upstream.url),
      anonymousRule('down', `http://down.test:${proxyPort}/<.*>`, `http://127.0.0.1:${closedPort}`),
      {
        ...anonymousRule('private', `http://private.test:${proxyPort}/<.*>`, upstream.url),
        authenticators: [{ handler: 'unauthorized' }],
      },
    ];
    server = await startTestServer({
      dsn: 'memory',
      listeners: {
        proxy: {
          host: '127.0.0.1',
          port: proxyPort,
          timeout: { write: '300ms' },
          cors: {
            enabled: true,
            allowed_origins: [ORIGIN, 'https://*.preview.example.com'],
            allowed_methods: ['GET', 'POST'],
            allowed_headers: ['Authorization', 'Content-Type', 'X-Session-Token'],
            exposed_headers: ['Content-Type', 'X-Request-Id'],
            allow_credentials: true,
            max_age: 300,
          },
        },
        api: { host: '127.0.0.1', port: await freePort(), cors: { enabled: true } },
      },
      extraConfig: { access_rules: { repositories: [inline(rules)] }, ...handlers },
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
    await upstream?.close();
  });

  describe('CORS on the proxy', () => {
    it('answers a preflight itself, never forwarding it', async () => {
      const before = upstream.seen.length;
      const res = await send(
        proxy,
        host(),
        '/api/items',
        {
          origin: 'https://pr-12.preview.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-session-token',
        },
        'OPTIONS',
      );
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': 'https://pr-12.preview.example.com',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, x-session-token',
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '300',
      });
      expect(res.text).toBe('');
      expect(upstream.seen.length).toBe(before);
    });

    it('grants nothing to other origins, methods or headers', async () => {
      const before = upstream.seen.length;
      const refused: Array<Record<string, string>> = [
        { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
        { origin: ORIGIN, 'access-control-request-method': 'DELETE' },
        {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-admin',
        },
      ];
      for (const headers of refused) {
        const res = await send(proxy, host(), '/api/items', headers, 'OPTIONS');
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      expect(upstream.seen.length).toBe(before);
      const simple = await send(proxy, host(), '/api/items', { origin: 'https://evil.example.com' });
      expect(simple.status).toBe(200);
      // The upstream's own grant is dropped: the listener's policy decides.
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      expect(simple.headers.vary).toBe('Accept-Encoding, Origin');
    });

    it("decorates simple requests from allowed origins, replacing the upstream's CORS headers", async () => {
      const res = await send(proxy, host(), '/api/items', { origin: ORIGIN });
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'Content-Type, X-Request-Id',
        vary: 'Accept-Encoding, Origin',
        'x-request-id': 'r-1',
      });
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      // An OPTIONS without Access-Control-Request-Method is an ordinary request, forwarded.
      const options = await send(proxy, host(), '/api/items', { origin: ORIGIN }, 'OPTIONS');
      expect(options.status).toBe(200);
      expect(JSON.parse(options.text)).toMatchObject({ path: '/api/items' });
    });

    it("puts the grant on the proxy's own error answers too", async () => {
      const denied = await send(proxy, `private.test:${proxyPort}`, '/x', { origin: ORIGIN });
      expect(denied.status).toBe(401);
      expect(denied.headers['access-control-allow-origin']).toBe(ORIGIN);
      const none = await send(proxy, `nowhere.test:${proxyPort}`, '/x', { origin: ORIGIN });
      expect(none.status).toBe(404);
      expect(none.headers['access-control-allow-origin']).toBe(ORIGIN);
    });
  });

  describe('CORS on the API', () => {
    it('answers preflights on any path, with Oathkeeper defaults ("*")', async () => {
      const res = await send(
        api,
        'gateway.internal',
        '/decisions/anything',
        { origin: 'https://anyone.test', 'access-control-request-method': 'GET' },
        'OPTIONS',
      );
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBe('GET');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('decorates simple requests and leaves requests without Origin alone', async () => {
      const rules = await send(api, 'gateway.internal', '/rules', { origin: 'https://anyone.test' });
      expect(rules.status).toBe(200);
      expect(rules.headers['access-control-allow-origin']).toBe('*');
      expect(rules.headers['access-control-expose-headers']).toBe('Content-Type');
      const plain = await send(api, 'gateway.internal', '/health/alive');
      expect(plain.headers['access-control-allow-origin']).toBeUndefined();
      expect(plain.headers.vary).toBe('Origin');
    });
  });

  it('ignores Upgrade protocols other than websocket (h2c): answered over HTTP/1.1, then closed', async () => {
    const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: proxyPort,
          path: '/h2c',
          headers: {
            host: host(),
            connection: 'Upgrade, HTTP2-Settings',
            upgrade: 'h2c',
            'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA',
          },
        });
        req.on('upgrade', () => reject(new Error('switched protocols')));
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    const seen = JSON.parse(answer.body) as Seen;
    expect(seen.path).toBe('/h2c');
    expect(seen.headers.upgrade).toBeUndefined();
    expect(seen.headers['http2-settings']).toBeUndefined();
  });

  describe('upstream failures', () => {
    it('answers 504 when the upstream is slower than serve.proxy.timeout.write', async () => {
      const res = await send(proxy, host(), '/slow/report');
      expect(res.status).toBe(504);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.text)).toEqual({
        error: { code: 504, status: 'Gateway Timeout', message: 'The upstream did not answer in time' },
      });
      expect(upstream.seen.some((s) => s.path === '/slow/report')).toBe(true);
    });

    it('answers a WebSocket handshake the upstream leaves unanswered with 504', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxyPort}/slow/live`, { headers: { host: host() } });
      const status = await new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => reject(new Error('opened')));
        ws.once('error', reject);
      });
      ws.terminate();
      expect(status).toBe(504);
    });

    it('answers 502 when nothing listens upstream', async () => {
      const res = await send(proxy, `down.test:${proxyPort}`, '/x');
      expect(res.status).toBe(502);
      expect(JSON.parse(res.text)).toEqual({
        error: { code: 502, status: 'Bad Gateway', message: 'The upstream could not be reached' },
      });
    });
  });
});

describe('proxy and API listeners over TLS (self-signed certificate)', () => {
  let cert: SelfSignedCert;
  let server: TestServer;
  let upstream: Upstream;
  let proxyPort: number;
  let proxy: Client;
  let api: Client;

  beforeAll(async () => {
    cert = await selfSignedCert(['secure.test']);
    upstream = await startUpstream();
    proxyPort = await freePort();
    const rules = [anonymousRule('secure', `https://secure.test:${proxyPort}/<.*>`, upstream.url)];
    server = await startTestServer({
      dsn: 'memory',
      listeners: {
        // Both of Oathkeeper's ways: files by path, and inline base64.
        proxy: {
          host: '127.0.0.1',
          port: proxyPort,
          tls: { cert: { path: cert.certPath }, key: { path: cert.keyPath } },
        },
        api: {
          host: '127.0.0.1',
          port: await freePort(),
          tls: {
            cert: { base64: cert.cert.toString('base64') },
            key: { base64: cert.key.toString('base64') },
          },
        },
      },
      extraConfig: { access_rules: { repositories: [inline(rules)] }, ...handlers },
    });
    const { proxyUrl, apiUrl } = server.accessProxy ?? {};
    if (proxyUrl === undefined || apiUrl === undefined) throw new Error('access proxy not started');
    expect(proxyUrl).toMatch(/^https:\/\//);
    expect(apiUrl).toMatch(/^https:\/\//);
    proxy = new Client(proxyUrl, { connect: { ca: cert.cert } });
    api = new Client(apiUrl, { connect: { ca: cert.cert } });
  });
  afterAll(async () => {
    // destroy, not close: after a failed TLS handshake undici's close() never settles.
    await proxy?.destroy();
    await api?.destroy();
    await server?.close();
    await upstream?.close();
    await cert?.remove();
  });

  it('proxies over HTTPS, matching and forwarding with the https scheme', async () => {
    const res = await send(proxy, `secure.test:${proxyPort}`, '/account');
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.text) as Seen;
    expect(seen.path).toBe('/account');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });

  it('serves the decision API over HTTPS, deciding on the https scheme', async () => {
    expect((await send(api, 'localhost', '/health/alive')).status).toBe(200);
    const decision = await send(api, `secure.test:${proxyPort}`, '/decisions/account');
    expect(decision.status).toBe(200);
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const plain = new Client(`http://127.0.0.1:${proxyPort}`);
    try {
      const res = await plain
        .request({ method: 'GET', path: '/', headers: { host: `secure.test:${proxyPort}` } })
        .then(
          (r) => r.statusCode,
          () => 'failed',
        );
      expect(res).not.toBe(200);
    } finally {
      await plain.close();
    }
  });

  it('carries WebSockets over wss://', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${proxyPort}/live`, {
      ca: cert.cert,
      headers: { host: `secure.test:${proxyPort}` },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) =>
      ws.once('message', (data: RawData) => resolve(data.toString())),
    );
    ws.send('over tls');
    expect(await echoed).toBe('over tls');
    expect(upstream.seen.at(-1)?.headers['x-forwarded-proto']).toBe('https');
    ws.terminate();
  });
});

describe('proxy behind a trusted front proxy (trust_forwarded_headers)', () => {
  let server: TestServer;
  let upstream: Upstream;
  let proxyPort: number;
  let proxy: Client;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxyPort = await freePort();
    // Rules are written for the Host the proxy is reached by (nginx's proxy_pass sends its own).
    const rules = [
      anonymousRule('https-only', `https://portcullis.internal:${proxyPort}/<.*>`, upstream.url),
      // Matched only if X-Forwarded-Host chose the rule: then the request would be refused.
      {
        ...anonymousRule('public-name', 'https://app.example.com/<.*>', upstream.url),
        authenticators: [{ handler: 'unauthorized' }],
      },
    ];
    server = await startTestServer({
      dsn: 'memory',
      listeners: { proxy: { host: '127.0.0.1', port: proxyPort, trust_forwarded_headers: true } },
      extraConfig: { access_rules: { repositories: [inline(rules)] }, ...handlers },
    });
    const { proxyUrl } = server.accessProxy ?? {};
    if (proxyUrl === undefined) throw new Error('access proxy not started');
    proxy = new Client(proxyUrl);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    await upstream?.close();
  });

  it('matches on its own Host and the forwarded scheme, as Oathkeeper, and passes the forwarded host on', async () => {
    const res = await send(proxy, `portcullis.internal:${proxyPort}`, '/account', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
    });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.text) as Seen;
    expect(seen.headers['x-forwarded-host']).toBe('app.example.com');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    // Without the forwarded scheme the request is plain http: no rule.
    expect((await send(proxy, `portcullis.internal:${proxyPort}`, '/account')).status).toBe(404);
  });
});
