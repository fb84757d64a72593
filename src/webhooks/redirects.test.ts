import { describe, expect, it } from 'vitest';
import type { OutboundRequest, OutboundResponse } from '../kernel/http-client.js';
import { followRedirects, TooManyRedirectsError } from './redirects.js';

/** A fake transport: answers by URL, records what it was asked. */
function transport(answers: Record<string, { status: number; location?: string }>) {
  const seen: OutboundRequest[] = [];
  const http = {
    async request(req: OutboundRequest): Promise<OutboundResponse> {
      seen.push(req);
      const answer = answers[req.url] ?? { status: 200 };
      const headers: Record<string, string> = answer.location ? { location: answer.location } : {};
      return { status: answer.status, headers, firstHeaders: headers, body: Buffer.alloc(0) };
    },
  };
  return { http: followRedirects(http), seen };
}

const post = (url: string): OutboundRequest => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: 'Basic x', 'X-Api-Key': 'k' },
  body: '{"a":1}',
});

describe('followRedirects (Go http.Client rules)', () => {
  it('turns a POST into a bodiless GET on 301/302/303, and keeps method and body on 307/308', async () => {
    for (const status of [301, 302, 303]) {
      const { http, seen } = transport({ 'http://a.test/x': { status, location: '/y' } });
      expect((await http.request(post('http://a.test/x'))).status).toBe(200);
      expect(seen[1]).toMatchObject({ url: 'http://a.test/y', method: 'GET' });
      expect(seen[1]?.body).toBeUndefined();
      expect(seen[1]?.headers).toEqual({ Authorization: 'Basic x', 'X-Api-Key': 'k' });
    }
    for (const status of [307, 308]) {
      const { http, seen } = transport({ 'http://a.test/x': { status, location: 'http://a.test/z' } });
      await http.request(post('http://a.test/x'));
      expect(seen[1]).toMatchObject({ url: 'http://a.test/z', method: 'POST', body: '{"a":1}' });
    }
  });

  it('drops credentials once the chain leaves the first host (not for a subdomain), keeps the others', async () => {
    const sub = transport({ 'http://a.test/x': { status: 307, location: 'http://api.a.test/x' } });
    await sub.http.request(post('http://a.test/x'));
    expect(sub.seen[1]?.headers?.Authorization).toBe('Basic x');
    const other = transport({ 'http://a.test/x': { status: 307, location: 'http://b.test/x' } });
    await other.http.request(post('http://a.test/x'));
    expect(other.seen[1]?.headers).toEqual({ 'Content-Type': 'application/json', 'X-Api-Key': 'k' });
  });

  it('returns a 3xx it does not follow as is, and stops after 10 redirects', async () => {
    const bare = transport({ 'http://a.test/x': { status: 302 } });
    expect((await bare.http.request(post('http://a.test/x'))).status).toBe(302);
    const loop = transport({ 'http://a.test/x': { status: 307, location: '/x' } });
    await expect(loop.http.request(post('http://a.test/x'))).rejects.toBeInstanceOf(TooManyRedirectsError);
    expect(loop.seen).toHaveLength(11);
  });
});
