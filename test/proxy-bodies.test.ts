import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Client } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REMOTE_BODY_LIMIT_BYTES } from '../src/proxy/pipeline/authz/authz-remote.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { startTestServer, type TestServer } from './support/server.js';

const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;

const rule = (id: string, url: string, upstreamUrl: string, extra: Record<string, unknown> = {}) => ({
  id,
  upstream: { url: upstreamUrl },
  match: { url, methods: ['GET', 'POST', 'PUT'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'noop' }],
  ...extra,
});

/** 512 KiB in chunks: sent without Content-Length, so it arrives chunked. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts);
}

/** A POST as bytes on the wire: `sized` with Content-Length, `chunked` with Transfer-Encoding. */
function wireRequest(
  path: string,
  host: string,
  body: { sized?: Buffer; chunked?: Buffer; close?: boolean },
): Buffer {
  const head = [`POST ${path} HTTP/1.1`, `Host: ${host}`];
  if (body.close) head.push('Connection: close');
  if (body.sized !== undefined) head.push(`Content-Length: ${body.sized.length}`);
  if (body.chunked === undefined)
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body.sized ?? Buffer.alloc(0)]);
  head.push('Transfer-Encoding: chunked');
  const parts: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n\r\n`)];
  const size = 64 * 1024;
  for (let at = 0; at < body.chunked.length; at += size) {
    const chunk = body.chunked.subarray(at, at + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/**
 * Writes requests back to back on one connection (the last one should close it) and returns the
 * status of every answer read before the server closed it. A server that stopped reading a body
 * and never discarded the rest would never see the requests after it.
 */
function onOneConnection(port: number, requests: Buffer[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const request of requests) socket.write(request);
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('latin1');
      resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
    });
  });
}

describe('request bodies through the proxy and the decision API (real remote and upstream)', () => {
  let server: TestServer;
  let remote: HttpReceiver;
  let upstream: HttpReceiver;
  let proxyPort: number;
  let apiPort: number;
  let proxy: Client;
  let api: Client;
  const checked = () => `checked.test:${proxyPort}`;
  const open = () => `open.test:${proxyPort}`;
  const framing = () => `framing.test:${proxyPort}`;

  beforeAll(async () => {
    remote = await startHttpReceiver();
    upstream = await startHttpReceiver();
    proxyPort = await freePort();
    apiPort = await freePort();
    const rules = [
      rule('checked', `http://checked.test:${proxyPort}/<.*>`, upstream.url, {
        authorizer: { handler: 'remote', config: { remote: `${remote.url}/authz` } },
      }),
      rule('open', `http://open.test:${proxyPort}/<.*>`, upstream.url),
      rule('framing', `http://framing.test:${proxyPort}/<.*>`, upstream.url, {
        mutators: [
          {
            handler: 'header',
            config: {
              headers: {
                'Content-Length': '7',
                'Transfer-Encoding': 'chunked',
                Host: 'evil.test',
                Connection: 'close',
                'Keep-Alive': 'timeout=1',
                'X-Allowed': 'yes',
              },
            },
          },
        ],
      }),
    ];
    server = await startTestServer({
      dsn: 'memory',
      listeners: {
        proxy: { host: '127.0.0.1', port: proxyPort },
        api: { host: '127.0.0.1', port: apiPort },
      },
      extraConfig: {
        access_rules: { repositories: [inline(rules)] },
        authenticators: { anonymous: { enabled: true } },
        authorizers: {
          allow: { enabled: true },
          remote: { enabled: true, config: { remote: `${remote.url}/authz` } },
        },
        mutators: { noop: { enabled: true }, header: { enabled: true, config: { headers: {} } } },
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
    await remote?.stop();
    await upstream?.stop();
  });
  beforeEach(() => {
    remote.requests.length = 0;
    upstream.requests.length = 0;
  });

  async function send(
    client: Client,
    host: string,
    path: string,
    options: { method?: string; headers?: Record<string, string>; body?: string | Buffer | Readable } = {},
  ) {
    const res = await client.request({
      method: (options.method ?? 'POST') as 'POST',
      path,
      headers: { host, ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  describe('proxy mode', () => {
    it('a JSON body reaches the remote authorizer and then the upstream, intact', async () => {
      const json = JSON.stringify({ order: 7, note: 'é'.repeat(500) });
      const res = await send(proxy, checked(), '/orders?x=1', {
        headers: { 'content-type': 'application/json' },
        body: json,
      });
      expect(res.status).toBe(200);
      const [asked] = remote.to('/authz');
      expect(asked).toMatchObject({ method: 'POST', body: json });
      expect(asked?.headers['content-type']).toBe('application/json');
      const [forwarded] = upstream.to('/orders');
      expect(forwarded).toMatchObject({ method: 'POST', body: json });
      expect(forwarded?.headers['content-length']).toBe(String(Buffer.byteLength(json)));
    });

    it('a 512 KiB binary body reaches both intact, with Content-Length or chunked', async () => {
      const bytes = randomBytes(512 * 1024);
      const octets = { 'content-type': 'application/octet-stream' };
      const sized = await send(proxy, checked(), '/upload', { method: 'PUT', headers: octets, body: bytes });
      expect(sized.status).toBe(200);
      const streamed = await send(proxy, checked(), '/upload', { headers: octets, body: chunked(bytes) });
      expect(streamed.status).toBe(200);
      const asked = remote.to('/authz');
      const forwarded = upstream.to('/upload');
      expect(asked).toHaveLength(2);
      expect(forwarded.map((r) => r.method)).toEqual(['PUT', 'POST']);
      for (const received of [...asked, ...forwarded]) expect(received.bytes.equals(bytes)).toBe(true);
      // The chunked body was read for the remote: the upstream gets the bytes, framed by length.
      expect(forwarded[1]?.headers['content-length']).toBe(String(bytes.length));
      expect(forwarded[1]?.headers['transfer-encoding']).toBeUndefined();
    });

    it('without a remote authorizer the body streams to the upstream untouched', async () => {
      const bytes = randomBytes(512 * 1024);
      const res = await send(proxy, open(), '/upload', { body: chunked(bytes) });
      expect(res.status).toBe(200);
      const [forwarded] = upstream.to('/upload');
      expect(forwarded?.bytes.equals(bytes)).toBe(true);
      // Still chunked: nothing buffered it on the way.
      expect(forwarded?.headers['transfer-encoding']).toBe('chunked');
      expect(forwarded?.headers['content-length']).toBeUndefined();
    });

    it('a refusal by the remote keeps the body from the upstream', async () => {
      remote.script('/authz', [{ status: 403 }]);
      try {
        const res = await send(proxy, checked(), '/orders', { body: 'order=1' });
        expect(res.status).toBe(403);
        expect(remote.to('/authz')[0]?.body).toBe('order=1');
        expect(upstream.to('/orders')).toHaveLength(0);
      } finally {
        remote.script('/authz', [{ status: 200 }]);
      }
    });

    it('a body over the limit is a 500 without asking the remote, and the connection stays usable', async () => {
      // Well past the limit: more than socket buffers hold once reading stops.
      const over = randomBytes(4 * REMOTE_BODY_LIMIT_BYTES);
      const statuses = await onOneConnection(proxyPort, [
        wireRequest('/upload', checked(), { chunked: over }),
        wireRequest('/upload', checked(), { sized: over }),
        wireRequest('/small', checked(), { sized: Buffer.from('ok'), close: true }),
      ]);
      expect(statuses).toEqual([500, 500, 200]);
      expect(remote.to('/authz').map((r) => r.body)).toEqual(['ok']);
      expect(upstream.requests.map((r) => r.path)).toEqual(['/small']);
    });

    it('a body sent after 100 Continue (curl does so past 1 KiB) reaches both; Expect goes no further', async () => {
      const bytes = randomBytes(4096);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: proxyPort,
          method: 'POST',
          path: '/expecting',
          headers: { host: checked(), expect: '100-continue', 'content-length': String(bytes.length) },
        });
        req.on('continue', () => req.end(bytes));
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      expect(status).toBe(200);
      expect(remote.to('/authz')[0]?.bytes.equals(bytes)).toBe(true);
      const [forwarded] = upstream.to('/expecting');
      expect(forwarded?.bytes.equals(bytes)).toBe(true);
      expect(forwarded?.headers.expect).toBeUndefined();
    });

    it('a GET body is offered to the remote and then forwarded, as Go’s ReverseProxy does', async () => {
      const res = await send(proxy, checked(), '/search', { method: 'GET', body: 'q=1' });
      expect(res.status).toBe(200);
      expect(remote.to('/authz')[0]?.body).toBe('q=1');
      const [forwarded] = upstream.to('/search');
      expect(forwarded?.body).toBe('q=1');
      expect(forwarded?.headers['content-length']).toBe('3');
    });
  });

  describe('decision API', () => {
    it('forwards an ext_authz-style body to the remote authorizer', async () => {
      const json = JSON.stringify({ order: 8 });
      const res = await send(api, checked(), '/decisions/orders', {
        headers: { 'content-type': 'application/json' },
        body: json,
      });
      expect(res.status).toBe(200);
      expect(remote.to('/authz')[0]).toMatchObject({ method: 'POST', body: json });
      expect(remote.to('/authz')[0]?.headers['content-type']).toBe('application/json');
      // Forwarded headers describe the request just as well.
      const forwarded = await send(api, 'gateway.internal', '/decisions', {
        headers: {
          'x-forwarded-method': 'PUT',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': checked(),
          'x-forwarded-uri': '/orders/8',
        },
        body: chunked(Buffer.from('qty=2')),
      });
      expect(forwarded.status).toBe(200);
      expect(remote.to('/authz')[1]?.body).toBe('qty=2');
    });

    it('a body over the limit is what Oathkeeper answers for an unreadable body: 500 from the error handler', async () => {
      const declared = await send(api, checked(), '/decisions/upload', {
        body: randomBytes(REMOTE_BODY_LIMIT_BYTES + 1),
      });
      expect(declared.status).toBe(500);
      expect(JSON.parse(declared.text)).toEqual({
        error: {
          code: 500,
          status: 'Internal Server Error',
          message: 'An internal server error occurred, please contact the system administrator',
        },
      });
      // Chunked, past the limit: the rest is discarded and the connection carries the next decision.
      const statuses = await onOneConnection(apiPort, [
        wireRequest('/decisions/upload', checked(), { chunked: randomBytes(4 * REMOTE_BODY_LIMIT_BYTES) }),
        wireRequest('/decisions/upload', checked(), { sized: Buffer.from('small'), close: true }),
      ]);
      expect(statuses).toEqual([500, 200]);
      expect(remote.to('/authz').map((r) => r.body)).toEqual(['small']);
    });

    it('a rule without a remote authorizer decides without reading the body', async () => {
      const res = await send(api, open(), '/decisions/upload', {
        body: randomBytes(2 * REMOTE_BODY_LIMIT_BYTES),
      });
      expect(res.status).toBe(200);
      expect(remote.to('/authz')).toHaveLength(0);
    });
  });

  describe('headers a mutator may not set', () => {
    it('never reach the upstream: framing, Host and hop-by-hop headers stay the proxy’s', async () => {
      const res = await send(proxy, framing(), '/framed', { body: 'hello' });
      expect(res.status).toBe(200);
      const [forwarded] = upstream.to('/framed');
      expect(forwarded?.body).toBe('hello');
      expect(forwarded?.headers).toMatchObject({ 'content-length': '5', 'x-allowed': 'yes' });
      expect(forwarded?.headers.host).toBe(new URL(upstream.url).host);
      expect(forwarded?.headers['transfer-encoding']).toBeUndefined();
      expect(forwarded?.headers['keep-alive']).toBeUndefined();
    });

    it('are not in a decision answer either (Oathkeeper skips Content-Length there)', async () => {
      const res = await send(api, framing(), '/decisions/framed', { method: 'GET' });
      expect(res.status).toBe(200);
      expect(res.headers['x-allowed']).toBe('yes');
      expect(res.headers['content-length']).toBe('0');
      expect(res.headers['transfer-encoding']).toBeUndefined();
      // Node's own keep-alive answer, not the mutator's.
      expect(res.headers['keep-alive']).not.toBe('timeout=1');
      expect(res.headers.host).toBeUndefined();
      expect(res.headers.connection).not.toBe('close');
    });
  });
});
