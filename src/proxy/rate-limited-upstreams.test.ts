import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { call, startDecisionApi } from './testing/decision-api.js';
import {
  type LoopbackServer,
  type Reply,
  type SeenRequest,
  startLoopbackServer,
} from './testing/loopback-server.js';

/**
 * What the client is answered when a service the pipeline asks answers 429 (or another status
 * that is retried or not), as Oathkeeper answers: through the decision API of a real access
 * proxy, with every service a real server that answers from a per-path script.
 */

const HOST = { host: 'app.test' };
const RATE_LIMITED: Reply = {
  status: 429,
  headers: {
    'retry-after': '120',
    'x-ratelimit-limit': '100',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': '1767225600',
    'x-ratelimit-type': 'user',
    'x-other': 'not forwarded',
  },
  body: { error: 'slow down' },
};

let services: LoopbackServer;
let proxy: Awaited<ReturnType<typeof startDecisionApi>>;
/** Per path: the answers in turn, the last one repeating. */
const scripts = new Map<string, Reply[]>();

function route(request: SeenRequest): Reply {
  const path = new URL(request.url, 'http://x').pathname;
  const script = scripts.get(path) ?? [{ status: 200 }];
  const served = services.to(path).length - 1;
  return script[Math.min(served, script.length - 1)] ?? { status: 200 };
}

const rule = (id: string, extra: Record<string, unknown>) => ({
  id,
  match: { url: `http://app.test/${id}`, methods: ['GET'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'noop' }],
  ...extra,
});

beforeAll(async () => {
  services = await startLoopbackServer('127.0.0.1', route);
  const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;
  const document = {
    serve: {},
    access_rules: {
      repositories: [
        inline([
          rule('introspection', { authenticators: [{ handler: 'oauth2_introspection' }] }),
          rule('client-credentials', { authenticators: [{ handler: 'oauth2_client_credentials' }] }),
          rule('session', { authenticators: [{ handler: 'cookie_session' }] }),
          rule('remote', { authorizer: { handler: 'remote' } }),
        ]),
      ],
    },
    authenticators: {
      anonymous: { enabled: true },
      oauth2_introspection: {
        enabled: true,
        config: { introspection_url: `${services.url}/introspect`, retry: { give_up_after: '2s' } },
      },
      oauth2_client_credentials: {
        enabled: true,
        config: { token_url: `${services.url}/token`, retry: { give_up_after: '2s' } },
      },
      cookie_session: {
        enabled: true,
        config: { check_session_url: `${services.url}/whoami`, preserve_path: true },
      },
    },
    authorizers: {
      allow: { enabled: true },
      remote: { enabled: true, config: { remote: `${services.url}/authz`, retry: { give_up_after: '2s' } } },
    },
    mutators: { noop: { enabled: true } },
    errors: { fallback: ['json'], handlers: { json: { enabled: true, config: { verbose: false } } } },
  } as unknown as KratosConfigDocument;
  proxy = await startDecisionApi(document);
});

afterAll(async () => {
  await proxy?.close();
  await services?.stop();
});

beforeEach(() => {
  scripts.clear();
  services.seen.length = 0;
});

const decide = (path: string, headers: Record<string, string> = {}) =>
  call(proxy.apiUrl, 'GET', `/decisions/${path}`, { ...HOST, ...headers });

/** The rate-limit headers Oathkeeper copies (helper.RateLimitHeaders), and nothing else of the answer. */
function expectRateLimitAnswer(res: Awaited<ReturnType<typeof decide>>): void {
  expect(res.status).toBe(429);
  expect(res.headers).toMatchObject({
    'retry-after': '120',
    'x-ratelimit-limit': '100',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': '1767225600',
    'x-ratelimit-type': 'user',
  });
  expect(res.headers['x-other']).toBeUndefined();
  expect(JSON.parse(res.body)).toEqual({
    error: { code: 429, status: 'Too Many Requests', message: 'Too many requests' },
  });
}

describe('a rate-limited upstream, as Oathkeeper answers it', () => {
  it('introspection endpoint 429: answered 429 with its rate-limit headers, at once', async () => {
    scripts.set('/introspect', [RATE_LIMITED]);
    expectRateLimitAnswer(await decide('introspection', { authorization: 'Bearer opaque' }));
    expect(services.to('/introspect')).toHaveLength(1);
  });

  it('token endpoint 429 (oauth2_client_credentials): answered 429 with its rate-limit headers, at once', async () => {
    scripts.set('/token', [RATE_LIMITED]);
    const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;
    expectRateLimitAnswer(await decide('client-credentials', { authorization: basic }));
    expect(services.to('/token')).toHaveLength(1);
  });

  it('session store 429 (cookie_session): 401, as any answer but 200', async () => {
    scripts.set('/whoami', [RATE_LIMITED]);
    const res = await decide('session', { cookie: 'sid=1' });
    expect(res.status).toBe(401);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('remote authorizer 429: retried as go-retryablehttp retries it; a later 200 allows', async () => {
    scripts.set('/authz', [{ status: 429, headers: { 'x-ratelimit-remaining': '0' } }, { status: 200 }]);
    expect((await decide('remote')).status).toBe(200);
    expect(services.to('/authz')).toHaveLength(2);
  });

  it('remote authorizer 429 asking for a wait past give_up_after: not retried, a 500', async () => {
    scripts.set('/authz', [{ ...RATE_LIMITED, headers: { 'retry-after': '3600' } }, { status: 200 }]);
    const res = await decide('remote');
    expect(res.status).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(services.to('/authz')).toHaveLength(1);
  });

  it('introspection endpoint 429 repeating rate-limit headers: the first value of each, as Header.Get', async () => {
    scripts.set('/introspect', [
      {
        status: 429,
        headers: {
          'retry-after': ['120', '60'],
          'x-ratelimit-remaining': ['0', '7'],
          'x-ratelimit-type': ['user', 'ip'],
          // One value that holds `, ` itself (Envoy's draft-03 form): forwarded whole.
          'x-ratelimit-limit': '10, 10;w=60',
          'x-ratelimit-reset': 'Thu, 01 Jan 2026 00:00:00 GMT',
        },
      },
    ]);
    const res = await decide('introspection', { authorization: 'Bearer opaque' });
    expect(res.status).toBe(429);
    expect(res.headers).toMatchObject({
      'retry-after': '120',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-type': 'user',
      'x-ratelimit-limit': '10, 10;w=60',
      'x-ratelimit-reset': 'Thu, 01 Jan 2026 00:00:00 GMT',
    });
  });

  it('token endpoint 429 repeating rate-limit headers: the first value of each, as Header.Get', async () => {
    scripts.set('/token', [{ status: 429, headers: { 'x-ratelimit-remaining': ['0', '7'] } }]);
    const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;
    const res = await decide('client-credentials', { authorization: basic });
    expect(res.status).toBe(429);
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('remote authorizer 429 with Retry-After twice: the first asks past give_up_after, so not retried', async () => {
    // retryablehttp reads Retry-After[0] (3600 s); the second value is never looked at.
    scripts.set('/authz', [{ status: 429, headers: { 'retry-after': ['3600', '0'] } }, { status: 200 }]);
    expect((await decide('remote')).status).toBe(500);
    expect(services.to('/authz')).toHaveLength(1);
  });

  it('remote authorizer 501: not retried (go-retryablehttp retries other 5xx), a 500', async () => {
    scripts.set('/authz', [{ status: 501 }, { status: 200 }]);
    expect((await decide('remote')).status).toBe(500);
    expect(services.to('/authz')).toHaveLength(1);
  });
});

/**
 * Oathkeeper's introspection and token endpoint clients do not retry (go-retryablehttp is not
 * in their path): a failure, whichever, is answered after the one request, even with time to
 * spare under `give_up_after` and a good answer waiting behind it.
 */
describe('introspection and token endpoints are asked once, as Oathkeeper asks them', () => {
  const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;

  it.each([500, 502, 503, 504])('introspection endpoint %i: a 500, after one request', async (status) => {
    scripts.set('/introspect', [{ status }, { status: 200, body: { active: true, sub: 'alice' } }]);
    expect((await decide('introspection', { authorization: 'Bearer opaque' })).status).toBe(500);
    expect(services.to('/introspect')).toHaveLength(1);
  });

  it('introspection endpoint dropping the connection: a 500, after one request', async () => {
    scripts.set('/introspect', [
      { status: 200, drop: true },
      { status: 200, body: { active: true, sub: 'a' } },
    ]);
    expect((await decide('introspection', { authorization: 'Bearer opaque' })).status).toBe(500);
    expect(services.to('/introspect')).toHaveLength(1);
  });

  it.each([
    [500, 500],
    [502, 401],
    [503, 503],
    [504, 504],
  ])('token endpoint %i: answered %i, after one request', async (status, answered) => {
    scripts.set('/token', [{ status }, { status: 200, body: { access_token: 'at', token_type: 'bearer' } }]);
    expect((await decide('client-credentials', { authorization: basic })).status).toBe(answered);
    expect(services.to('/token')).toHaveLength(1);
  });

  it('token endpoint dropping the connection: a 503, after one request', async () => {
    scripts.set('/token', [
      { status: 200, drop: true },
      { status: 200, body: { access_token: 'at' } },
    ]);
    expect((await decide('client-credentials', { authorization: basic })).status).toBe(503);
    expect(services.to('/token')).toHaveLength(1);
  });
});
