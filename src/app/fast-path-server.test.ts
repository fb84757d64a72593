import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../kernel/testing/log-capture.js';
import { installFastPath, type RawFastPath } from './fast-path-server.js';

let app: FastifyInstance | undefined;
/** What the fast path logged in the current test. */
const { logger, lines: logged } = captureLogs();
afterEach(async () => {
  await app?.close();
  app = undefined;
  logged.length = 0;
});

/** A Fastify app with `/fast` and `/slow` routes (the latter waits for `release`), the fast path in front. */
async function serve(fastPath: RawFastPath, slow?: Promise<void>): Promise<{ url: string; port: number }> {
  app = Fastify();
  app.get('/fast', async () => ({ from: 'fastify' }));
  app.get('/slow', async () => {
    await slow;
    return { from: 'slow' };
  });
  expect(installFastPath(app, fastPath, logger)).toBe(true);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, port: Number(new URL(url).port) };
}

const answerFast: RawFastPath = (request, response) => {
  if (request.url !== '/fast') return false;
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('from the fast path');
  return true;
};

describe('installFastPath', () => {
  it('answers what the fast path takes and hands Fastify everything it declines', async () => {
    const { url } = await serve(answerFast);
    expect(await (await fetch(`${url}/fast`)).text()).toBe('from the fast path');
    // Declined: Fastify routes it, its 404 included.
    expect(await (await fetch(`${url}/fast?x=1`)).json()).toEqual({ from: 'fastify' });
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('Not Found');
  });

  it('gives Fastify the request when the fast path fails before writing anything, and logs why', async () => {
    const { url } = await serve(() => {
      throw new Error('the cache broke');
    });
    const response = await fetch(`${url}/fast`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: 'fastify' });
    expect(logged).toMatchObject([{ msg: 'the fast path failed', url: '/fast' }]);
  });

  it('drops the connection when the fast path fails half way, and goes on serving', async () => {
    const { url } = await serve((request, response) => {
      if (request.url !== '/fast') return false;
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      response.write('a start');
      throw new Error('failed after the headers');
    });
    await expect(fetch(`${url}/fast`).then((r) => r.text())).rejects.toThrow();
    expect((await fetch(`${url}/slow`)).status).toBe(200);
    expect(logged).toMatchObject([{ msg: 'the fast path failed' }]);
  });

  it('keeps the connection when the fast path fails after its whole answer (pipelined requests still answered)', async () => {
    const { port } = await serve((request, response) => {
      if (request.url !== '/fast') return false;
      answerFast(request, response);
      throw new Error('failed recording the answer');
    });
    const socket = await open(port);
    const reader = collect(socket);
    socket.write('GET /fast HTTP/1.1\r\nHost: test\r\n\r\nGET /slow HTTP/1.1\r\nHost: test\r\n\r\n');
    const text = await reader.until((t) => t.includes('{"from":"slow"}'), 5_000);
    expect(text).toContain('from the fast path');
    socket.destroy();
    expect(logged).toMatchObject([{ msg: 'the fast path failed' }]);
  });

  it("declines everything once Fastify is closing, so Fastify's own drain answer applies", async () => {
    let release = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { port } = await serve(answerFast, slow);
    const socket = await open(port);
    const reader = collect(socket);
    socket.write('GET /slow HTTP/1.1\r\nHost: test\r\n\r\n');
    await delay(50);
    const closed = app?.close();
    app = undefined;
    // A request on the kept-alive connection while the server drains: Fastify answers 503.
    socket.write('GET /fast HTTP/1.1\r\nHost: test\r\n\r\n');
    await delay(50);
    release();
    const text = await reader.until((t) => t.includes('Service Unavailable'), 5_000);
    expect(text).toContain('{"from":"slow"}');
    expect(text).toContain('HTTP/1.1 503');
    expect(text).not.toContain('from the fast path');
    socket.destroy();
    await closed;
  });
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a raw socket receives, and a wait until it satisfies `done`. */
function collect(socket: Socket) {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  return {
    async until(done: (text: string) => boolean, ms: number): Promise<string> {
      const deadline = Date.now() + ms;
      while (!done(text)) {
        if (Date.now() > deadline) throw new Error(`not within ${ms} ms; got: ${text}`);
        await delay(10);
      }
      return text;
    },
  };
}
