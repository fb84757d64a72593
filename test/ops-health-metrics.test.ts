/**
 * What probes and scrapers see on the admin listener: health and version under /admin (the
 * Kratos Helm chart probes /admin/health/ready) as at the root; Prometheus metrics with Kratos's
 * names at /admin/metrics/prometheus and /metrics/prometheus; readiness that holds while Redis is
 * unreachable (whoami is then served from SQL).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../src/cache/testing/redis.js';
import { startTcpRelay, type TcpRelay } from '../src/cache/testing/tcp-relay.js';
import { VERSION } from '../src/kernel/version.js';
import { OBFUSCATED_READY_ERROR } from '../src/observability/health.js';
import { MIGRATIONS_PENDING } from '../src/observability/readiness.js';
import { startTestServer, type TestServer } from './support/server.js';

const SELFSERVICE = {
  default_browser_return_url: 'http://app.example.test/',
  methods: { password: { config: { haveibeenpwned_enabled: false } } },
  flows: { registration: { after: { password: { hooks: [{ hook: 'session' }] } } } },
};

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** Registers an identity through the API flow; the session token of the session it opens. */
async function register(server: TestServer, email: string): Promise<string> {
  const flow = (await (await fetch(`${server.publicUrl}/self-service/registration/api`)).json()) as {
    id: string;
  };
  const response = await fetch(`${server.publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      method: 'password',
      password: 'a passphrase for the operators',
      traits: { email, fullname: 'Katherine Johnson', phone_number: 5550199, user_type: 'educator' },
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session_token: string }).session_token;
}

/** The sample lines of `name` in a scrape, each with its labels parsed. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const found: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

describe('admin listener: health and version under /admin, as Kratos', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dsn: 'memory' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers /admin/health/alive, /admin/health/ready and /admin/version as the root paths', async () => {
    for (const path of ['/health/alive', '/health/ready', '/version']) {
      const root = await get(`${server.adminUrl}${path}`);
      const admin = await get(`${server.adminUrl}/admin${path}`);
      expect(admin.status, path).toBe(200);
      expect(admin.body, path).toBe(root.body);
    }
    expect(JSON.parse((await get(`${server.adminUrl}/admin/health/ready`)).body)).toEqual({ status: 'ok' });
    expect(JSON.parse((await get(`${server.adminUrl}/admin/version`)).body)).toEqual({ version: VERSION });
  });
});

describe('readiness while migrations are pending', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-ops-ready-'));
    // A file database nobody migrated, and no --dev: the server starts, not ready.
    server = await startTestServer({ dsn: `sqlite://${join(dir, 'db.sqlite')}`, serverMigrates: true });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with Kratos\'s "migrations" check on the admin paths, its reason hidden on public', async () => {
    for (const path of ['/admin/health/ready', '/health/ready']) {
      const ready = await get(`${server.adminUrl}${path}`);
      expect(ready.status, path).toBe(503);
      expect(JSON.parse(ready.body), path).toEqual({ errors: { migrations: MIGRATIONS_PENDING } });
    }
    const publicReady = await get(`${server.publicUrl}/health/ready`);
    expect(publicReady.status).toBe(503);
    expect(JSON.parse(publicReady.body)).toEqual({ errors: { migrations: OBFUSCATED_READY_ERROR } });
    // Alive all the same: the kubelet must not restart a pod that waits for `migrate sql`.
    expect((await get(`${server.adminUrl}/admin/health/alive`)).status).toBe(200);
  });
});

describe('Prometheus metrics on the admin listener', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dsn: 'memory', extraConfig: { selfservice: SELFSERVICE } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves Kratos\'s http_* metrics with app="kratos", the route pattern as endpoint, and process metrics', async () => {
    const token = await register(server, 'scrape@example.com');
    const whoami = await fetch(`${server.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': token },
    });
    expect(whoami.status).toBe(200);
    const { identity } = (await whoami.json()) as { identity: { id: string } };
    expect((await fetch(`${server.adminUrl}/admin/identities/${identity.id}`)).status).toBe(200);
    expect((await fetch(`${server.publicUrl}/no/such/${identity.id}`)).status).toBe(404);

    for (const path of ['/admin/metrics/prometheus', '/metrics/prometheus']) {
      const scrape = await get(`${server.adminUrl}${path}`);
      expect(scrape.status, path).toBe(200);
      expect(scrape.type, path).toBe('text/plain; version=0.0.4; charset=utf-8');

      const requests = samples(scrape.body, 'http_requests_total');
      expect(requests).toContainEqual({
        labels: { code: '200', method: 'GET', endpoint: '/sessions/whoami', app: 'kratos', version: VERSION },
        value: 1,
      });
      expect(requests).toContainEqual({
        labels: {
          code: '200',
          method: 'GET',
          endpoint: '/admin/identities/{param}',
          app: 'kratos',
          version: VERSION,
        },
        value: 1,
      });
      expect(requests).toContainEqual({
        labels: { code: '404', method: 'GET', endpoint: '{unmatched}', app: 'kratos', version: VERSION },
        value: 1,
      });
      // Bounded cardinality: no request's own URL (an id) becomes a label value.
      expect(scrape.body).not.toContain(identity.id);

      const whoamiDuration = samples(scrape.body, 'http_requests_duration_seconds_count').find(
        (s) => s.labels.endpoint === '/sessions/whoami',
      );
      expect(whoamiDuration?.value).toBe(1);
      expect(
        samples(scrape.body, 'http_response_time_seconds_count').find(
          (s) => s.labels.endpoint === '/sessions/whoami',
        )?.value,
      ).toBe(1);
      const responseSize = samples(scrape.body, 'http_response_size_bytes_sum').find(
        (s) => s.labels.code === '200' && s.labels.method === 'GET',
      );
      expect(responseSize?.value).toBeGreaterThan(100);
      expect(samples(scrape.body, 'http_requests_size_bytes_count').length).toBeGreaterThan(0);
      expect(samples(scrape.body, 'http_requests_statuses_total')).toContainEqual({
        labels: { method: 'GET', status_bucket: '4xx', app: 'kratos', version: VERSION },
        value: 1,
      });
      // prom-client's default metrics, in place of the Go client's process_* and go_*.
      expect(samples(scrape.body, 'process_cpu_user_seconds_total')).toHaveLength(1);
      expect(samples(scrape.body, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
      expect(samples(scrape.body, 'portcullis_cache_pending_invalidations')[0]?.value).toBe(0);
    }
  });
});

describe('readiness with Redis unreachable', () => {
  let server: TestServer;
  beforeAll(async () => {
    const redisUrl = `redis://127.0.0.1:${await closedPort()}`;
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: { selfservice: SELFSERVICE, cache: { redis: { url: redisUrl } } },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stays ready and serves whoami from SQL; the metrics say Redis is down', async () => {
    for (const url of [
      `${server.adminUrl}/admin/health/ready`,
      `${server.adminUrl}/health/ready`,
      `${server.publicUrl}/health/ready`,
    ]) {
      const ready = await get(url);
      expect(ready.status, url).toBe(200);
      expect(JSON.parse(ready.body), url).toEqual({ status: 'ok' });
    }
    const token = await register(server, 'no-redis@example.com');
    for (let i = 0; i < 2; i++) {
      const whoami = await fetch(`${server.publicUrl}/sessions/whoami`, {
        headers: { 'x-session-token': token },
      });
      expect(whoami.status).toBe(200);
    }
    const scrape = await get(`${server.adminUrl}/admin/metrics/prometheus`);
    expect(samples(scrape.body, 'portcullis_cache_redis_up')[0]?.value).toBe(0);
  });
});

/**
 * With a real Redis (REDIS_URL): the path to it hangs (half-open, no reset ever arrives), then
 * heals. The replica stays ready throughout; portcullis_cache_redis_up says what happened.
 */
describe.skipIf(!process.env.REDIS_URL)('readiness while the path to Redis hangs, then heals', () => {
  let relay: TcpRelay;
  let server: TestServer;
  beforeAll(async () => {
    relay = await startTcpRelay(process.env.REDIS_URL as string);
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        selfservice: SELFSERVICE,
        cache: { redis: { url: relay.url, key_prefix: `portcullis-ops-ready-${Date.now()}:` } },
      },
    });
  });
  afterAll(async () => {
    relay?.heal();
    await server?.close();
    await relay?.close();
  });

  async function redisUp(): Promise<number | undefined> {
    const scrape = await get(`${server.adminUrl}/admin/metrics/prometheus`);
    return samples(scrape.body, 'portcullis_cache_redis_up')[0]?.value;
  }

  async function until(probe: () => Promise<number | undefined>, wanted: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await probe()) !== wanted) {
      if (Date.now() > deadline) throw new Error(`still not ${wanted}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('stays ready while the cache is down, and the metric follows Redis', async () => {
    await until(redisUp, 1);
    const token = await register(server, 'half-open@example.com');
    relay.freeze();
    await until(redisUp, 0);
    expect((await get(`${server.adminUrl}/admin/health/ready`)).status).toBe(200);
    const whoami = await fetch(`${server.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': token },
    });
    expect(whoami.status).toBe(200);
    relay.heal();
    await until(redisUp, 1);
    expect((await get(`${server.adminUrl}/admin/health/ready`)).status).toBe(200);
  });
});
