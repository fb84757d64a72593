import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

/** What the upstream saw of one handshake. */
interface Handshake {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * A real WebSocket echo upstream: records every handshake and echoes every message. Paths
 * under /refuse are answered with a plain 403 instead of the upgrade; /bye closes with 4001.
 */
async function startWsUpstream() {
  const handshakes: Handshake[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    handshakes.push({ path: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/refuse')) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\nrefused');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (req.url?.startsWith('/bye')) return ws.close(4001, 'bye');
      ws.on('message', (data: RawData, binary: boolean) => ws.send(data, { binary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens a WebSocket through the proxy; resolves open, or with the HTTP answer that refused it. */
function connect(
  url: string,
  headers: Record<string, string>,
  protocols: string[] = [],
): Promise<
  | { kind: 'open'; ws: WebSocket }
  | { kind: 'refused'; status: number; headers: IncomingHttpHeaders; body: string }
> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve({ kind: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        resolve({ kind: 'refused', status: res.statusCode ?? 0, headers: res.headers, body });
        ws.terminate();
      });
    });
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: RawData) => resolve(data.toString()));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('WebSocket upgrades through the proxy (real ws upstream)', () => {
  let server: TestServer;
  let upstream: Awaited<ReturnType<typeof startWsUpstream>>;
  let proxyPort: number;
  let proxyUrl: string;
  let publicUrl: string;

  beforeAll(async () => {
    upstream = await startWsUpstream();
    const [publicPort, closedPort] = [await freePort(), await freePort()];
    proxyPort = await freePort();
    publicUrl = `http://127.0.0.1:${publicPort}`;
    const rule = (id: string, host: string, upstreamUrl: string) => ({
      id,
      upstream: { url: upstreamUrl },
      match: { url: `http://${host}:${proxyPort}/<.*>`, methods: ['GET'] },
      authenticators: [{ handler: 'cookie_session' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'header', config: { headers: { 'X-User-Email': '{{ print .Subject }}' } } }],
      errors: [{ handler: 'redirect' }],
    });
    const rules = [
      rule('chat', 'chat.test', upstream.url),
      rule('chat-down', 'down.test', `http://127.0.0.1:${closedPort}`),
    ];
    server = await startTestServer({
      dsn: 'memory',
      publicListener: { port: publicPort, base_url: `${publicUrl}/` },
      // A short read timeout: an open tunnel must outlive it.
      listeners: { proxy: { host: '127.0.0.1', port: proxyPort, timeout: { read: '1s' } } },
      extraConfig: {
        access_rules: { repositories: [`inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`] },
        authenticators: {
          cookie_session: {
            enabled: true,
            config: {
              check_session_url: `${publicUrl}/sessions/whoami`,
              preserve_path: true,
              subject_from: 'identity.traits.email',
            },
          },
        },
        authorizers: { allow: { enabled: true } },
        mutators: { header: { enabled: true, config: { headers: {} } } },
        errors: {
          fallback: ['json'],
          handlers: {
            json: { enabled: true, config: {} },
            redirect: {
              enabled: true,
              config: {
                to: `${publicUrl}/self-service/login/browser`,
                when: [{ error: ['unauthorized'], request: { header: { accept: ['text/html'] } } }],
              },
            },
          },
        },
      },
    });
    proxyUrl = `ws://127.0.0.1:${proxyPort}`;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function cookieFor(email: string): Promise<{ cookie: string; sessionId: string }> {
    const identity = await server.registry.identities.create({
      schema_id: 'exam',
      traits: { email, fullname: 'Ada', phone_number: 1, user_type: 'student' },
    });
    const stored = await server.registry.identityStore.get(identity.id);
    if (!stored) throw new Error('identity not stored');
    const issued = await server.registry.sessions.issue(stored, {
      methods: [{ method: 'password', aal: 'aal1', completed_at: new Date() }],
      aal: 'aal1',
      device: { ipAddress: '127.0.0.1', userAgent: 'vitest' },
    });
    return { cookie: server.sessionCookie(issued.token), sessionId: issued.session.id };
  }

  const chat = () => `chat.test:${proxyPort}`;

  it('lets a signed-in handshake through with the mutator header, and echoes messages both ways', async () => {
    const { cookie } = await cookieFor('ws@example.com');
    const result = await connect(
      `${proxyUrl}/room/7?x=1`,
      { host: chat(), cookie, 'x-user-email': 'admin@example.com' },
      ['chat.v1'],
    );
    if (result.kind !== 'open') throw new Error(`refused with ${result.status}: ${result.body}`);
    const { ws } = result;
    // The subprotocol the upstream chose comes back through the 101.
    expect(ws.protocol).toBe('chat.v1');
    const seen = upstream.handshakes.at(-1);
    expect(seen?.path).toBe('/room/7?x=1');
    expect(seen?.headers['x-user-email']).toBe('ws@example.com');
    expect(seen?.headers['x-forwarded-host']).toBe(chat());
    expect(seen?.headers['x-forwarded-proto']).toBe('http');
    expect(seen?.headers.upgrade).toBe('websocket');
    expect(seen?.headers.connection).toMatch(/upgrade/i);

    ws.send('hello');
    expect(await nextMessage(ws)).toBe('hello');
    ws.send(Buffer.alloc(70_000, 7));
    expect((await nextMessage(ws)).length).toBe(70_000);

    // The tunnel outlives serve.proxy.timeout.read (1s): it only bounds receiving a request.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    ws.send('still there');
    expect(await nextMessage(ws)).toBe('still there');
    const done = closed(ws);
    ws.close(1000, 'done');
    expect((await done).code).toBe(1000);
  });

  it('refuses an anonymous handshake with the rule error, never reaching the upstream', async () => {
    const before = upstream.handshakes.length;
    const api = await connect(`${proxyUrl}/room/1`, { host: chat(), accept: 'application/json' });
    expect(api.kind).toBe('refused');
    if (api.kind !== 'refused') return;
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ error: { code: 401 } });
    expect(api.headers.connection).toBe('close');

    const browser = await connect(`${proxyUrl}/room/1`, { host: chat(), accept: 'text/html' });
    expect(browser.kind).toBe('refused');
    if (browser.kind !== 'refused') return;
    expect(browser.status).toBe(302);
    expect(String(browser.headers.location)).toMatch(new RegExp(`^${publicUrl}/self-service/login/browser`));
    expect(upstream.handshakes.length).toBe(before);
  });

  it('refuses a handshake whose session was revoked', async () => {
    const { cookie, sessionId } = await cookieFor('revoked-ws@example.com');
    await server.registry.sessions.revoke(sessionId);
    const result = await connect(`${proxyUrl}/room/1`, { host: chat(), cookie });
    expect(result.kind === 'refused' && result.status).toBe(401);
  });

  it("relays an upstream's refusal of the upgrade, and closes when the upstream closes", async () => {
    const { cookie } = await cookieFor('relay-ws@example.com');
    const refused = await connect(`${proxyUrl}/refuse`, { host: chat(), cookie });
    expect(refused).toMatchObject({ kind: 'refused', status: 403, body: 'refused' });

    const bye = await connect(`${proxyUrl}/bye`, { host: chat(), cookie });
    if (bye.kind !== 'open') throw new Error(`refused with ${bye.status}`);
    expect(await closed(bye.ws)).toEqual({ code: 4001, reason: 'bye' });
  });

  it('answers 502 when the upstream cannot be reached, and 404 without a rule', async () => {
    const { cookie } = await cookieFor('down-ws@example.com');
    const down = await connect(`${proxyUrl}/x`, { host: `down.test:${proxyPort}`, cookie });
    expect(down.kind === 'refused' && JSON.parse(down.body)).toEqual({
      error: { code: 502, status: 'Bad Gateway', message: 'The upstream could not be reached' },
    });
    const none = await connect(`${proxyUrl}/x`, { host: `nowhere.test:${proxyPort}` });
    expect(none.kind === 'refused' && none.status).toBe(404);
  });
});
