import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../src/cache/testing/redis.js';
import { startTcpRelay, type TcpRelay } from '../src/cache/testing/tcp-relay.js';
import { startTestServer, type TestServer } from './support/server.js';

const PASSWORD = 'a long passphrase while redis is down';

/** Where the server's Redis is, and how it becomes unreachable. */
interface RedisOutage {
  readonly name: string;
  /** Starts whatever the URL points at; `cut` makes it unreachable (a no-op if it already is). */
  start(): Promise<{ url: string; cut(): void; heal(): void; close(): Promise<void> }>;
}

const outages: RedisOutage[] = [
  {
    name: 'nothing listens at the Redis address',
    async start() {
      const url = `redis://127.0.0.1:${await closedPort()}`;
      return { url, cut() {}, heal() {}, close: async () => {} };
    },
  },
];
const redisUrl = process.env.REDIS_URL;
if (redisUrl) {
  outages.push({
    name: 'the path to a real Redis is cut after the start',
    async start() {
      const relay: TcpRelay = await startTcpRelay(redisUrl);
      return relay;
    },
  });
}

async function json(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function register(server: TestServer, email: string) {
  const flow = await json(`${server.publicUrl}/self-service/registration/api`);
  return json(`${server.publicUrl}/self-service/registration?flow=${String(flow.body.id)}`, {
    method: 'POST',
    body: JSON.stringify({
      method: 'password',
      password: PASSWORD,
      traits: { email, fullname: 'Mary Jackson', phone_number: 5550117, user_type: 'educator' },
    }),
  });
}

async function login(server: TestServer, identifier: string, password: string) {
  const flow = await json(`${server.publicUrl}/self-service/login/api`);
  return json(`${server.publicUrl}/self-service/login?flow=${String(flow.body.id)}`, {
    method: 'POST',
    body: JSON.stringify({ method: 'password', identifier, password }),
  });
}

async function identitiesNamed(server: TestServer, email: string): Promise<unknown[]> {
  const found = await json(`${server.adminUrl}/admin/identities?credentials_identifier=${email}`);
  return found.body as unknown as unknown[];
}

/**
 * Sign-up and sign-in on a replica that cannot reach Redis. The rate-limit counters (the login
 * throttle, the verification mail limit) then live in that replica's memory: requests neither fail
 * nor lose their brute-force protection.
 */
describe.each(outages)('sign-up and sign-in with Redis unreachable: $name', (outage) => {
  let server: TestServer;
  let redis: Awaited<ReturnType<RedisOutage['start']>>;
  const keyPrefix = `portcullis-test-redis-down-${randomBytes(6).toString('hex')}:`;
  const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

  beforeAll(async () => {
    redis = await outage.start();
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        cache: { redis: { url: redis.url, key_prefix: keyPrefix } },
        // Messages are only queued: no worker runs, nothing is sent.
        courier: {
          smtp: { connection_uri: `smtp://127.0.0.1:${await closedPort()}/?disable_starttls=true` },
        },
        security: {
          brute_force: {
            per_identifier: { free_attempts: 2, base_delay: '1m', max_delay: '15m', window: '1h' },
          },
        },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/',
          methods: { password: { config: { haveibeenpwned_enabled: false } }, code: { enabled: true } },
          flows: {
            registration: { after: { password: { hooks: [{ hook: 'session' }] } } },
            verification: { enabled: true, use: 'code' },
            recovery: { enabled: true, use: 'code' },
          },
        },
      },
    });
    redis.cut();
  });
  afterAll(async () => {
    await server?.close();
    await redis?.close();
    if (redisUrl) {
      const admin = new Redis(redisUrl);
      const [, keys] = await admin.scan('0', 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    }
  });

  it('registers with a session and queues the verification code, exactly once', async () => {
    const email = unique('signup');
    const registered = await register(server, email);
    expect(registered.status).toBe(200);
    expect(typeof registered.body.session_token).toBe('string');
    expect(await identitiesNamed(server, email)).toHaveLength(1);

    const whoami = await json(`${server.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': String(registered.body.session_token) },
    });
    expect(whoami.status).toBe(200);

    const messages = await json(`${server.adminUrl}/admin/courier/messages?recipient=${email}`);
    expect(messages.status).toBe(200);
    expect(messages.body).toHaveLength(1);
  });

  it('mails a recovery code on request (the per-address mail limit counts in memory)', async () => {
    const email = unique('recover');
    expect((await register(server, email)).status).toBe(200);
    const flow = await json(`${server.publicUrl}/self-service/recovery/api`);
    const sent = await json(`${server.publicUrl}/self-service/recovery?flow=${String(flow.body.id)}`, {
      method: 'POST',
      body: JSON.stringify({ method: 'code', email }),
    });
    expect(sent.status).toBe(200);
    expect(sent.body.state).toBe('sent_email');
    const messages = await json(`${server.adminUrl}/admin/courier/messages?recipient=${email}`);
    // The verification code from the sign-up, and the recovery code.
    expect(messages.body).toHaveLength(2);
  });

  it('signs in, and still throttles password guessing on this replica', async () => {
    const email = unique('signin');
    expect((await register(server, email)).status).toBe(200);
    expect((await login(server, email, PASSWORD)).status).toBe(200);

    expect((await login(server, email, 'wrong guess one')).status).toBe(400);
    expect((await login(server, email, 'wrong guess two')).status).toBe(400);
    const refused = await login(server, email, PASSWORD);
    expect(refused.status).toBe(429);
  });
});
