import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpRelay, type TcpRelay } from '../src/cache/testing/tcp-relay.js';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

const postgres = testDatabases().find((d) => d.name === 'postgres');
const redisUrl = process.env.REDIS_URL;

async function whoami(server: TestServer, token: string): Promise<number> {
  const response = await fetch(`${server.publicUrl}/sessions/whoami`, {
    headers: { 'x-session-token': token },
  });
  await response.arrayBuffer();
  return response.status;
}

async function ready(server: TestServer): Promise<number> {
  const response = await fetch(`${server.adminUrl}/health/ready`);
  await response.arrayBuffer();
  return response.status;
}

/** Polls (bounded) until `probe` answers `wanted`; returns how long that took. */
async function until(probe: () => Promise<number>, wanted: number, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await probe()) === wanted) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`still not ${wanted} after ${timeoutMs} ms`);
}

/**
 * Two replicas over one PostgreSQL and one Redis; replica A reaches Redis through a relay the test
 * freezes, so that A's connections hang without a reset (a half-open connection: no disconnect is
 * ever reported). A session A has cached is revoked on B. A must stop accepting it within the
 * heartbeat silence bound (3 s, plus a heartbeat interval and a Redis command timeout), not after
 * its LRU entry expires (30 s).
 */
describe.skipIf(!postgres || !redisUrl)('revocation reaching a replica whose Redis connections hang', () => {
  let a: TestServer;
  let b: TestServer;
  let relay: TcpRelay;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    if (!postgres || !redisUrl) return;
    const db = await postgres.create();
    drop = db.drop;
    relay = await startTcpRelay(redisUrl);
    const redisKeyPrefix = `portcullis-test-redis-down-${randomBytes(6).toString('hex')}:`;
    const selfservice = {
      default_browser_return_url: 'http://app.example.test/',
      methods: { password: { config: { haveibeenpwned_enabled: false } } },
      flows: { registration: { after: { password: { hooks: [{ hook: 'session' }] } } } },
    };
    b = await startTestServer({ dsn: db.dsn, redis: true, redisKeyPrefix, extraConfig: { selfservice } });
    a = await startTestServer({
      dsn: db.dsn,
      redis: true,
      redisKeyPrefix,
      extraConfig: { selfservice, cache: { redis: { url: relay.url, key_prefix: redisKeyPrefix } } },
    });
  });
  afterAll(async () => {
    relay?.heal();
    await a?.close();
    await b?.close();
    await relay?.close();
    await drop?.();
  });

  it('A refuses the revoked session within seconds, reports not ready meanwhile, and recovers', async () => {
    const flow = (await (await fetch(`${b.publicUrl}/self-service/registration/api`)).json()) as {
      id: string;
    };
    const registered = await fetch(`${b.publicUrl}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        method: 'password',
        password: 'a passphrase for a half-open replica',
        traits: {
          email: 'half-open@example.com',
          fullname: 'Dorothy Vaughan',
          phone_number: 5550142,
          user_type: 'educator',
        },
      }),
    });
    expect(registered.status).toBe(200);
    const { session_token: token, session } = (await registered.json()) as {
      session_token: string;
      session: { id: string };
    };
    // Cached in A's memory.
    expect(await whoami(a, token)).toBe(200);
    expect(await whoami(a, token)).toBe(200);

    relay.freeze();
    const revoked = await fetch(`${b.adminUrl}/admin/sessions/${session.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(204);

    const tookMs = await until(() => whoami(a, token), 401, 15_000);
    expect(tookMs).toBeLessThan(8_000);
    expect(await whoami(a, token)).toBe(401);
    // Redis is no readiness check (every replica would lose it at once); the cache is off meanwhile.
    expect(await ready(a)).toBe(200);

    relay.heal();
    expect(await whoami(a, token)).toBe(401);
  });
});
