import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutboundHttp,
  type OutboundHttpClient,
  OutboundHttpError,
  type OutboundHttpErrorKind,
  outboundHttpConfig,
} from './http-client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback server with a few behaviours, recording the requests that reached it. */
async function startReceiver(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end('{"ok":true}');
    },
    '/redirect': (_req, res) => {
      res.writeHead(302, { location: '/ok' });
      res.end();
    },
    '/hang': () => {},
    '/drip': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'.repeat(64)), 5);
      res.on('close', () => clearInterval(timer));
    },
    '/big': (_req, res) => {
      res.writeHead(200, { 'content-length': String(4096) });
      res.end('y'.repeat(4096));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      seen.push({
        method: req.method ?? '',
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const route = routes[url.split('?')[0] ?? ''];
      if (route) route(req, res);
      else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function failure(promise: Promise<unknown>): Promise<OutboundHttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundHttpError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('outbound http client', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let base: string;
  const clients: OutboundHttpClient[] = [];
  const client = (options: Parameters<typeof createOutboundHttp>[0]) => {
    const c = createOutboundHttp(options);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    base = `http://127.0.0.1:${receiver.port}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    receiver.seen.length = 0;
  });
  afterAll(async () => {
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('sends the method, headers and body and returns status, headers and body', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const response = await http.request({
      url: `${base}/ok?q=1`,
      method: 'post',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-multi']).toBe('a, b');
    // Go's Header.Get: the first of a repeated header, every other header as sent.
    expect(response.firstHeaders['x-multi']).toBe('a');
    expect(response.firstHeaders['content-type']).toBe('application/json');
    expect(response.body.toString()).toBe('{"ok":true}');
    expect(receiver.seen).toMatchObject([
      { method: 'POST', url: '/ok?q=1', body: '{"a":1}', headers: { 'x-api-key': 'k' } },
    ]);
  });

  it('returns a 3xx as is and never follows it', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const response = await http.request({ url: `${base}/redirect`, method: 'GET' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/ok');
    expect(receiver.seen.map((s) => s.url)).toEqual(['/redirect']);
  });

  it('times out a server that never answers', async () => {
    const http = client({ disallowPrivateIpRanges: false, defaultTimeoutMs: 150 });
    const started = Date.now();
    const error = await failure(http.request({ url: `${base}/hang`, method: 'GET' }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('bounds the body by the same deadline: a slow drip under the cap times out', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const error = await failure(
      http.request({ url: `${base}/drip`, method: 'GET', timeoutMs: 150, maxResponseBytes: 10_000_000 }),
    );
    expect(error.kind).toBe('timeout');
  });

  it('stops reading a body past the cap', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const drip = await failure(http.request({ url: `${base}/drip`, method: 'GET', maxResponseBytes: 1000 }));
    expect(drip).toMatchObject({ kind: 'response_too_large', status: 200 });
    const declared = await failure(
      http.request({ url: `${base}/big`, method: 'GET', maxResponseBytes: 1000 }),
    );
    expect(declared).toMatchObject({ kind: 'response_too_large', status: 200 });
    const fits = await http.request({ url: `${base}/big`, method: 'GET', maxResponseBytes: 4096 });
    expect(fits.body.byteLength).toBe(4096);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const http = client({ disallowPrivateIpRanges: false });
    const error = await failure(http.request({ url: `http://127.0.0.1:${port}/`, method: 'GET' }));
    expect(error).toMatchObject({ kind: 'connection', code: 'ECONNREFUSED' });
  });

  it.each([
    ['ftp://example.com/x', 'invalid_url'],
    ['file:///etc/passwd', 'invalid_url'],
    ['not a url', 'invalid_url'],
  ] satisfies [string, OutboundHttpErrorKind][])('refuses %s', async (url, kind) => {
    const http = client({ disallowPrivateIpRanges: false });
    expect((await failure(http.request({ url, method: 'GET' }))).kind).toBe(kind);
  });

  it('refuses headers it cannot send safely', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const error = await failure(
      http.request({ url: `${base}/ok`, method: 'GET', headers: { 'transfer-encoding': 'chunked' } }),
    );
    expect(error.kind).toBe('invalid_request');
  });

  it('cancels on the caller signal with the signal reason', async () => {
    const http = client({ disallowPrivateIpRanges: false });
    const controller = new AbortController();
    const pending = http.request({ url: `${base}/hang`, method: 'GET', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopping')), 50);
    await expect(pending).rejects.toThrow('stopping');
  });

  describe('with disallow_private_ip_ranges', () => {
    it('allows loopback addresses when off', async () => {
      const http = client({ disallowPrivateIpRanges: false });
      expect(
        (await http.request({ url: `http://localhost:${receiver.port}/ok`, method: 'GET' })).status,
      ).toBe(201);
    });

    it.each([
      (port: number) => `http://127.0.0.1:${port}/ok`,
      (port: number) => `http://[::1]:${port}/ok`,
      (port: number) => `http://[::ffff:127.0.0.1]:${port}/ok`,
      (port: number) => `http://0x7f.0.0.1:${port}/ok`,
      () => 'http://169.254.169.254/latest/meta-data/',
      () => 'http://10.0.0.1/',
    ])('refuses a private IP literal (%#)', async (url) => {
      const http = client({ disallowPrivateIpRanges: true });
      const error = await failure(http.request({ url: url(receiver.port), method: 'GET' }));
      expect(error.kind).toBe('blocked_address');
      expect(receiver.seen).toEqual([]);
    });

    it('refuses a host name that resolves to a loopback address (localhost)', async () => {
      const http = client({ disallowPrivateIpRanges: true });
      const error = await failure(
        http.request({ url: `http://localhost:${receiver.port}/ok`, method: 'GET' }),
      );
      expect(error).toMatchObject({ kind: 'blocked_address', code: 'E_BLOCKED_ADDRESS' });
      expect(receiver.seen).toEqual([]);
    });

    it('checks the address resolved at connect time, whatever DNS answers', async () => {
      const asked: string[] = [];
      const http = client({
        disallowPrivateIpRanges: true,
        resolve: async (hostname) => {
          asked.push(hostname);
          return [{ address: '10.1.2.3', family: 4 }];
        },
      });
      const error = await failure(http.request({ url: 'http://hooks.example.com/x', method: 'GET' }));
      expect(error.kind).toBe('blocked_address');
      expect(error.message).toContain('10.1.2.3');
      expect(asked).toEqual(['hooks.example.com']);
    });

    it('lets private_ip_exception_urls through, and only those', async () => {
      const http = client({
        disallowPrivateIpRanges: true,
        privateIpExceptionUrls: [`http://localhost:${receiver.port}/ok`],
      });
      expect(
        (await http.request({ url: `http://localhost:${receiver.port}/ok`, method: 'GET' })).status,
      ).toBe(201);
      // Same origin, pooled connection open: the exempt pool is not shared with the guarded one.
      const error = await failure(
        http.request({ url: `http://localhost:${receiver.port}/redirect`, method: 'GET' }),
      );
      expect(error.kind).toBe('blocked_address');
      expect(receiver.seen.map((s) => s.url)).toEqual(['/ok']);
    });
  });
});

describe('outboundHttpConfig', () => {
  it('reads clients.http with Kratos defaults', () => {
    expect(outboundHttpConfig({})).toEqual({ disallowPrivateIpRanges: false, privateIpExceptionUrls: [] });
    expect(
      outboundHttpConfig({
        clients: { http: { disallow_private_ip_ranges: true, private_ip_exception_urls: ['http://a/b'] } },
      }),
    ).toEqual({ disallowPrivateIpRanges: true, privateIpExceptionUrls: ['http://a/b'] });
  });
});
