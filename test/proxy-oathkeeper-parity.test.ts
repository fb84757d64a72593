import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The proxy against Oathkeeper's behaviour (proxy/proxy.go, Go's ReverseProxy and http.Server
 * defaults), end to end: real listeners, a real upstream.
 */

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** 6 cookies of 3.5 KB: about 21 KB of response head, over Node's and undici's 16 KiB. */
const BIG_COOKIES = Array.from({ length: 6 }, (_, i) => `chunk${i}=${String(i).repeat(3500)}; Path=/`);
/** One header of 20 KB on the upstream's 101 answer. */
const BIG_UPGRADE_HEADER = 'u'.repeat(20_000);

/**
 * Echoes what it saw as JSON; `/big-cookies` sets BIG_COOKIES, `/trailers` answers chunked
 * with an `X-Checksum` trailer (and a `Host` one, which must not be relayed). WebSocket handshakes are answered with BIG_UPGRADE_HEADER and
 * messages echoed.
 */
async function startUpstream() {
  // Its own heads may be large too (a 20 KB cookie is passed on).
  const server: Server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (req.url === '/trailers') {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
        res.write('payload');
        res.addTrailers({ 'x-checksum': 'abc', host: 'evil.test' });
        res.end();
        return;
      }
      const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
      if (req.url === '/big-cookies') headers['set-cookie'] = BIG_COOKIES;
      res.writeHead(200, headers);
      res.end(JSON.stringify(seen));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('headers', (headers) => headers.push(`X-Big: ${BIG_UPGRADE_HEADER}`));
  wss.on('connection', (ws) => ws.on('message', (data: RawData) => ws.send(data.toString())));
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (_req, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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

const LOGIN = 'http://login.test/login';

const rule = (id: string, url: string, upstreamUrl: string | undefined, extra: object = {}) => ({
  id,
  ...(upstreamUrl !== undefined ? { upstream: { url: upstreamUrl } } : {}),
  match: { url, methods: ['GET', 'POST', 'HEAD'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  ...extra,
});

const handlers = {
  authenticators: { anonymous: { enabled: true }, unauthorized: { enabled: true } },
  authorizers: { allow: { enabled: true } },
  mutators: { header: { enabled: true, config: { headers: {} } } },
  errors: {
    fallback: ['json'],
    handlers: {
      json: { enabled: true, config: {} },
      redirect: { enabled: true, config: { to: LOGIN, return_to_query_param: 'return_to' } },
    },
  },
};

const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;

/** The rules each listener gets, for the Host it is reached by. */
function rulesFor(port: number, upstream: string) {
  return [
    rule('app', `http://app.test:${port}/<.*>`, upstream),
    rule('base', `http://base.test:${port}/<.*>`, `${upstream}/app/`),
    rule('noup', `http://noup.test:${port}/<.*>`, undefined, { errors: [{ handler: 'redirect' }] }),
    rule('deny', `http://deny.test:${port}/<.*>`, upstream, {
      authenticators: [{ handler: 'unauthorized' }],
      errors: [{ handler: 'redirect' }],
    }),
  ];
}

async function startProxy(upstream: Upstream, trusted: boolean) {
  const port = await freePort();
  const server = await startTestServer({
    dsn: 'memory',
    listeners: { proxy: { host: '127.0.0.1', port, trust_forwarded_headers: trusted } },
    extraConfig: { access_rules: { repositories: [inline(rulesFor(port, upstream.url))] }, ...handlers },
  });
  const proxyUrl = server.accessProxy?.proxyUrl;
  if (proxyUrl === undefined) throw new Error('access proxy not started');
  // The test client itself must take large answers.
  const client = new Client(proxyUrl, { maxHeaderSize: 1024 * 1024 });
  return { server, client, port };
}

async function send(
  client: Client,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await client.request({
    method: (options.method ?? 'GET') as 'GET',
    path,
    headers: { host, ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A raw node:http GET, for headers undici would rewrite (TE) and for trailers. */
function rawGet(port: number, host: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; trailers: Record<string, string | undefined> }>(
    (resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, trailers: res.trailers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('proxy mode as Oathkeeper (untrusted forwarding headers)', () => {
  let upstream: Upstream;
  let server: TestServer;
  let proxy: Client;
  let port: number;
  const app = () => `app.test:${port}`;

  beforeAll(async () => {
    upstream = await startUpstream();
    ({ server, client: proxy, port } = await startProxy(upstream, false));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    await upstream?.close();
  });

  describe('header sizes (Go: 1 MiB request heads, 10 MiB upstream answer heads)', () => {
    it('takes a 20 KB Cookie and passes it on', async () => {
      const cookie = `big=${'c'.repeat(20_000)}`;
      const res = await send(proxy, app(), '/x', { headers: { cookie } });
      expect(res.status).toBe(200);
      expect((JSON.parse(res.text) as Seen).headers.cookie).toBe(cookie);
    });

    it('relays an upstream answer with more than 16 KiB of Set-Cookie, every cookie', async () => {
      const res = await send(proxy, app(), '/big-cookies');
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toEqual(BIG_COOKIES);
    });

    it('relays a WebSocket upstream’s 101 with a 20 KB header', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, {
        headers: { host: app() },
        maxHeaderSize: 1024 * 1024,
      });
      const big = await new Promise<string | undefined>((resolve, reject) => {
        ws.once('upgrade', (res) => resolve(res.headers['x-big'] as string | undefined));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`answered ${res.statusCode}`)));
        ws.once('error', reject);
      });
      expect(big).toBe(BIG_UPGRADE_HEADER);
      await new Promise<void>((resolve) =>
        ws.readyState === WebSocket.OPEN ? resolve() : ws.once('open', resolve),
      );
      const echoed = new Promise<string>((resolve) =>
        ws.once('message', (d: RawData) => resolve(d.toString())),
      );
      ws.send('hi');
      expect(await echoed).toBe('hi');
      ws.terminate();
    });
  });

  it('keeps the root’s trailing slash under upstream.url’s path (ConfigureBackendURL)', async () => {
    const root = JSON.parse((await send(proxy, `base.test:${port}`, '/?q=1')).text) as Seen;
    expect(root.path).toBe('/app/?q=1');
    const nested = JSON.parse((await send(proxy, `base.test:${port}`, '/x/')).text) as Seen;
    expect(nested.path).toBe('/app/x/');
  });

  it('forwards a GET body byte for byte (Go’s ReverseProxy keeps it)', async () => {
    const body = '{"query":{"match":{"title":"é"}}}';
    const res = await send(proxy, app(), '/_search', {
      headers: { 'content-type': 'application/json' },
      body,
    });
    const seen = JSON.parse(res.text) as Seen;
    expect(seen.method).toBe('GET');
    expect(seen.body).toBe(body);
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('sends a matched rule without upstream.url through the rule’s error handlers', async () => {
    const res = await send(proxy, `noup.test:${port}`, '/anything', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(
      `${LOGIN}?return_to=${encodeURIComponent(`http://noup.test:${port}/anything`)}`,
    );
  });

  it('answers a browser’s GET redirect with Go’s short HTML body', async () => {
    const res = await send(proxy, `deny.test:${port}`, '/p?a=1');
    expect(res.status).toBe(302);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const location = `${LOGIN}?return_to=${encodeURIComponent(`http://deny.test:${port}/p?a=1`)}`;
    expect(res.headers.location).toBe(location);
    expect(res.text).toBe(`<a href="${location}">Found</a>.\n\n`);
  });

  it('keeps the own Host in return_to: an untrusted X-Forwarded-Host counts for nothing', async () => {
    const res = await send(proxy, `deny.test:${port}`, '/p', {
      headers: { 'x-forwarded-host': 'public.example' },
    });
    expect(new URL(String(res.headers.location)).searchParams.get('return_to')).toBe(
      `http://deny.test:${port}/p`,
    );
  });

  it('drops a client’s X_User next to the rule’s X-User', async () => {
    const res = await send(proxy, app(), '/who', { headers: { 'x-user': 'admin', x_user: 'admin2' } });
    const seen = JSON.parse(res.text) as Seen;
    expect(seen.headers['x-user']).toBe('anonymous');
    expect(seen.headers.x_user).toBeUndefined();
  });

  it('relays the upstream’s trailers to a client that sent TE: trailers, and only then', async () => {
    const asked = await rawGet(port, app(), '/trailers', { te: 'trailers' });
    expect(asked.status).toBe(200);
    expect(asked.body).toBe('payload');
    // Routing names (Host) are not relayed in trailers.
    expect(asked.trailers).toEqual({ 'x-checksum': 'abc' });
    const plain = await rawGet(port, app(), '/trailers');
    expect(plain.body).toBe('payload');
    expect(plain.trailers).toEqual({});
  });
});

describe('proxy mode as Oathkeeper (trust_forwarded_headers)', () => {
  let upstream: Upstream;
  let server: TestServer;
  let proxy: Client;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream();
    ({ server, client: proxy, port } = await startProxy(upstream, true));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    await upstream?.close();
  });

  it('never passes a client’s Forwarded upstream, the X-Forwarded-* ones still', async () => {
    const res = await send(proxy, `app.test:${port}`, '/x', {
      headers: {
        forwarded: 'for=10.0.0.1;host=admin.internal;proto=https',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'public.example',
      },
    });
    const seen = JSON.parse(res.text) as Seen;
    expect(seen.headers.forwarded).toBeUndefined();
    expect(seen.headers['x-forwarded-host']).toBe('public.example');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1');
  });

  it('builds return_to from the trusted X-Forwarded-Host and -Proto (ErrorRedirect.extractURL)', async () => {
    const res = await send(proxy, `deny.test:${port}`, '/p?a=1', {
      headers: { 'x-forwarded-host': 'public.example', 'x-forwarded-proto': 'http' },
    });
    expect(res.status).toBe(302);
    expect(new URL(String(res.headers.location)).searchParams.get('return_to')).toBe(
      'http://public.example/p?a=1',
    );
    // Without the header, the Host the proxy was reached by.
    const own = await send(proxy, `deny.test:${port}`, '/p?a=1');
    expect(new URL(String(own.headers.location)).searchParams.get('return_to')).toBe(
      `http://deny.test:${port}/p?a=1`,
    );
  });
});
