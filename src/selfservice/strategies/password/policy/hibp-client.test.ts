import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHibpClient } from './hibp-client.js';
import { closedPort, type HibpStandIn, sha1Hex, startHibpStandIn } from './testing/hibp-stand-in.js';

const PASSWORD = 'violet-harbour-lantern-92';

let standIn: HibpStandIn;
beforeEach(async () => {
  standIn = await startHibpStandIn();
});
afterEach(async () => {
  await standIn.close();
});

describe('createHibpClient', () => {
  it('returns the count the range lists for the password', async () => {
    standIn.breach(PASSWORD, 42);
    const result = await createHibpClient().count(PASSWORD, standIn.origin);
    expect(result).toEqual({ ok: true, count: 42 });
  });

  it('returns 0 when the suffix is not in the range', async () => {
    const result = await createHibpClient().count(PASSWORD, standIn.origin);
    expect(result).toEqual({ ok: true, count: 0 });
  });

  it('sends only the 5-character prefix, with padding and a user agent', async () => {
    await createHibpClient({ userAgent: 'portcullis-test' }).count(PASSWORD, standIn.origin);
    const hash = sha1Hex(PASSWORD);
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(`/range/${hash.slice(0, 5)}`);
    expect(request?.headers['add-padding']).toBe('true');
    expect(request?.headers['user-agent']).toBe('portcullis-test');
    // Neither the password nor the rest of its hash left the process, in any form.
    const sent = JSON.stringify(request).toUpperCase();
    expect(sent).not.toContain(PASSWORD.toUpperCase());
    expect(sent).not.toContain(hash.slice(5));
  });

  it('sends a default user agent', async () => {
    await createHibpClient().count(PASSWORD, standIn.origin);
    expect(standIn.requests[0]?.headers['user-agent']).toMatch(/^Portcullis\//);
  });

  it('answers a repeated lookup from the cache', async () => {
    const client = createHibpClient();
    standIn.breach(PASSWORD, 3);
    expect(await client.count(PASSWORD, standIn.origin)).toEqual({ ok: true, count: 3 });
    expect(await client.count(PASSWORD, standIn.origin)).toEqual({ ok: true, count: 3 });
    expect(standIn.requests).toHaveLength(1);
  });

  it('shares one request between concurrent lookups of the same prefix', async () => {
    const client = createHibpClient();
    const results = await Promise.all([
      client.count(PASSWORD, standIn.origin),
      client.count(PASSWORD, standIn.origin),
    ]);
    expect(results).toEqual([
      { ok: true, count: 0 },
      { ok: true, count: 0 },
    ]);
    expect(standIn.requests).toHaveLength(1);
  });

  it('asks again once the cached range has expired', async () => {
    let now = 0;
    const client = createHibpClient({ cacheTtlMs: 1000, now: () => now });
    await client.count(PASSWORD, standIn.origin);
    now = 1000;
    await client.count(PASSWORD, standIn.origin);
    expect(standIn.requests).toHaveLength(2);
  });

  it('does not cache a failure', async () => {
    const client = createHibpClient();
    standIn.setMode({ kind: 'status', status: 503 });
    expect((await client.count(PASSWORD, standIn.origin)).ok).toBe(false);
    standIn.setMode({ kind: 'range' });
    expect(await client.count(PASSWORD, standIn.origin)).toEqual({ ok: true, count: 0 });
    expect(standIn.requests).toHaveLength(2);
  });

  it('reports a status other than 200', async () => {
    standIn.setMode({ kind: 'status', status: 429 });
    const result = await createHibpClient().count(PASSWORD, standIn.origin);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('status');
      expect(result.error.status).toBe(429);
    }
  });

  it('reports a server that is down as a network error', async () => {
    const result = await createHibpClient().count(PASSWORD, `http://127.0.0.1:${await closedPort()}`);
    expect(result.ok === false && result.error.code).toBe('network');
  });

  it('gives up after the timeout on a server that never answers', async () => {
    standIn.setMode({ kind: 'hang' });
    const result = await createHibpClient({ timeoutMs: 50 }).count(PASSWORD, standIn.origin);
    expect(result.ok === false && result.error.code).toBe('timeout');
  });

  it('refuses a body declared larger than the cap', async () => {
    standIn.setMode({ kind: 'oversized', bytes: 4096, declareLength: true });
    const result = await createHibpClient({ maxBodyBytes: 1024 }).count(PASSWORD, standIn.origin);
    expect(result.ok === false && result.error.code).toBe('body_too_large');
  });

  it('stops reading a streamed body once it passes the cap', async () => {
    standIn.setMode({ kind: 'oversized', bytes: 256 * 1024, declareLength: false });
    const result = await createHibpClient({ maxBodyBytes: 1024 }).count(PASSWORD, standIn.origin);
    expect(result.ok === false && result.error.code).toBe('body_too_large');
  });

  it('reports a malformed count', async () => {
    standIn.setMode({ kind: 'raw', body: `${sha1Hex(PASSWORD).slice(5)}:lots` });
    const result = await createHibpClient().count(PASSWORD, standIn.origin);
    expect(result.ok === false && result.error.code).toBe('malformed_response');
  });

  it('reports a host that cannot be a base URL without sending anything', async () => {
    const result = await createHibpClient().count(PASSWORD, 'ftp://mirror.example');
    expect(result.ok === false && result.error.code).toBe('invalid_host');
    expect(standIn.requests).toHaveLength(0);
  });
});
