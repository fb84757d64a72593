import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundHttp, type OutboundHttpClient } from '../kernel/http-client.js';
import { proxyOutbound } from './outbound.js';
import { type LoopbackServer, type Reply, startLoopbackServer } from './testing/loopback-server.js';

/** The details of Go's redirect policy the access proxy's clients keep, against a real server. */

let server: LoopbackServer;
let base: OutboundHttpClient;

beforeAll(async () => {
  server = await startLoopbackServer('127.0.0.1', (request): Reply => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/see-other') return { status: 303, headers: { location: '/temporary' } };
    if (path === '/temporary') return { status: 307, headers: { location: '/end' } };
    return { status: 200 };
  });
  base = createOutboundHttp({ disallowPrivateIpRanges: false });
});

afterAll(async () => {
  await base.close();
  await server.stop();
});

const post = (path: string, headers: Record<string, string> = {}) => ({
  url: `${server.url}${path}`,
  method: 'POST',
  headers: { 'content-type': 'text/plain', ...headers },
  body: 'streamed',
});

describe('proxyOutbound', () => {
  it('keeps one client per base, so stores keyed by client are shared', () => {
    expect(proxyOutbound(base)).toBe(proxyOutbound(base));
  });

  it('judges a 307 by the first request: after a 303, an unreplayable body still stops the chain', async () => {
    const { withoutBodyReplay, http } = proxyOutbound(base);
    expect((await withoutBodyReplay.request(post('/see-other'))).status).toBe(307);
    expect(server.to('/end')).toHaveLength(0);
    expect((await http.request(post('/see-other'))).status).toBe(200);
    expect(server.to('/end').at(-1)?.method).toBe('GET');
  });

  it("keeps a request's own Referer on every hop", async () => {
    await proxyOutbound(base).http.request(post('/see-other', { Referer: 'https://client.example/' }));
    expect(server.to('/end').at(-1)?.headers.referer).toBe('https://client.example/');
    expect(server.to('/temporary').at(-1)?.headers.referer).toBe('https://client.example/');
  });
});
