import { randomUUID } from 'node:crypto';
import { type AddressInfo, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { captureLogs as capture } from '../kernel/testing/log-capture.js';
import { createHttpServer, redactUrl } from './http.js';

describe('request logging', () => {
  async function serve(level: string) {
    const { logger, lines } = capture(level);
    const app = createHttpServer({ logger });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/quiet', { logLevel: 'warn' }, async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('kaput');
    });
    await app.ready();
    return { app, lines };
  }

  it('writes one completion line per request at info, with the request and the response', async () => {
    const { app, lines } = await serve('info');
    await app.inject({ method: 'GET', url: '/ok?x=1', headers: { 'x-session-token': 'ory_st_secret' } });
    await app.inject({ method: 'GET', url: '/quiet' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      reqId: expect.any(String),
      req: { method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain('ory_st_secret');
    await app.close();
  });

  it('adds the incoming line at debug and writes nothing for successes at warning', async () => {
    const debug = await serve('debug');
    await debug.app.inject({ method: 'GET', url: '/ok' });
    expect(debug.lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    await debug.app.close();

    const warn = await serve('warn');
    await warn.app.inject({ method: 'GET', url: '/ok' });
    expect(warn.lines).toEqual([]);
    await warn.app.inject({ method: 'GET', url: '/boom' });
    expect(warn.lines).toMatchObject([{ level: 50, msg: 'request failed', err: { message: 'kaput' } }]);
    await warn.app.close();
  });
});

describe('redactUrl', () => {
  it('hides the values of secret query parameters and keeps the rest', () => {
    expect(redactUrl('/self-service/recovery?flow=f1&token=abc')).toBe(
      '/self-service/recovery?flow=f1&token=%5Bredacted%5D',
    );
    expect(redactUrl('/self-service/verification?flow=f1&code=123456')).toBe(
      '/self-service/verification?flow=f1&code=%5Bredacted%5D',
    );
    expect(redactUrl('/sessions/whoami')).toBe('/sessions/whoami');
    expect(redactUrl('/self-service/login/browser?return_to=https%3A%2F%2Fapp')).toBe(
      '/self-service/login/browser?return_to=https%3A%2F%2Fapp',
    );
  });
});

describe('repeated query parameters', () => {
  async function serve() {
    const { logger } = capture('warn');
    const app = createHttpServer({ logger });
    const querystring = {
      type: 'object',
      properties: {
        return_to: { type: 'string' },
        refresh: { type: 'boolean' },
        ids: { type: 'array', items: { type: 'string' } },
        include: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      },
    } as const;
    app.get('/init', { schema: { querystring } }, async (request) => request.query);
    app.get('/plain', async (request) => ({ ...(request.query as object) }));
    await app.ready();
    return app;
  }

  it('reads a single-valued parameter by its first value, as Kratos does, and keeps every value of one that may be a list', async () => {
    const app = await serve();
    const response = await app.inject({
      method: 'GET',
      url: '/init?return_to=https%3A%2F%2Fa.example&return_to=https%3A%2F%2Fb.example&refresh=true&refresh=false&ids=1&ids=2&include=a&include=b',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      return_to: 'https://a.example',
      refresh: true,
      ids: ['1', '2'],
      include: ['a', 'b'],
    });
    await app.close();
  });

  it('reads every repeated parameter of a route without a schema by its first value', async () => {
    const app = await serve();
    const response = await app.inject({ method: 'GET', url: '/plain?flow=a&flow=b&token=x&token=y&one=1' });
    expect(response.json()).toEqual({ flow: 'a', token: 'x', one: '1' });
    await app.close();
  });

  it('still validates the value it keeps', async () => {
    const app = await serve();
    const response = await app.inject({ method: 'GET', url: '/init?refresh=maybe&refresh=true' });
    expect(response.statusCode).toBe(400);
    await app.close();
  });
});

describe('JSON bodies are validated as Kratos decodes them: types are not coerced', () => {
  it('refuses a string for a boolean, an array for a string, and a number for a string in a body, and still coerces a query', async () => {
    const app = createHttpServer({ logger: capture('warn').logger });
    const body = {
      type: 'object',
      properties: { verified: { type: 'boolean' }, identity_id: { type: 'string' }, n: { type: 'integer' } },
    } as const;
    const querystring = { type: 'object', properties: { page: { type: 'integer' } } } as const;
    app.post('/things', { schema: { body, querystring } }, async (request) => ({
      body: request.body,
      query: request.query,
    }));
    await app.ready();
    try {
      const post = (payload: object, url = '/things') => app.inject({ method: 'POST', url, payload });
      for (const wrong of [{ verified: 'true' }, { identity_id: ['a'] }, { identity_id: 5 }, { n: '5' }]) {
        const refused = await post(wrong);
        expect(refused.statusCode, JSON.stringify(wrong)).toBe(400);
        expect(refused.json().error).toMatchObject({ code: 400, status: 'Bad Request' });
      }
      const fine = await post({ verified: true, identity_id: 'a', n: 5 }, '/things?page=2');
      expect(fine.statusCode).toBe(200);
      expect(fine.json()).toEqual({ body: { verified: true, identity_id: 'a', n: 5 }, query: { page: 2 } });
    } finally {
      await app.close();
    }
  });
});

describe('request heads', () => {
  /** Sends `head` on a raw socket and reads the whole answer (the server closes after errors). */
  function exchange(port: number, head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        // One answer is enough: keep-alive would hold the socket open.
        if (Buffer.concat(chunks).includes('\r\n\r\n{')) socket.end();
      });
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
  }

  it('take the 500 ids Kratos allows in a query, and answer a larger head in Kratos error shape', async () => {
    const app = createHttpServer({ logger: capture('warn').logger });
    app.get('/list', async (request) => ({ ids: Object.keys(request.query as object).length }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as AddressInfo;
      const ids = Array.from({ length: 500 }, () => `ids=${randomUUID()}`).join('&');
      const fits = await exchange(port, `GET /list?${ids} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(fits).toMatch(/^HTTP\/1\.1 200 /);

      const huge = await exchange(
        port,
        `GET /list HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      );
      expect(huge).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toEqual({
        error: {
          code: 431,
          status: 'Request Header Fields Too Large',
          message: 'The request headers are too large.',
        },
      });

      const garbage = await exchange(port, 'NOT HTTP\r\n\r\n');
      expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(garbage).toContain('"code":400');
    } finally {
      await app.close();
    }
  });

  it('answer a path the router cannot decode in Kratos error shape', async () => {
    const app = createHttpServer({ logger: capture('warn').logger });
    app.get('/files/*', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as AddressInfo;
      for (const path of ['/files/caf%E9.txt', '/files/%zz', '/files/%']) {
        const answer = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
        expect(answer, path).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
        expect(answer, path).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/);
        expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), path).toEqual({
          error: {
            code: 400,
            status: 'Bad Request',
            message: 'The request was malformed or contained invalid parameters',
            reason: 'The request path holds an escape that is not valid UTF-8 percent-encoding.',
          },
        });
      }
    } finally {
      await app.close();
    }
  });
});
