import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import { defaultRegistry, type HandlerRegistry, PipelineCompiler, runPipeline } from '../index.js';
import type { PipelineRequest } from '../session.js';
import { oauth2IntrospectionAuthenticator } from './authn-oauth2-introspection.js';

const INTROSPECT = '/oauth2/introspect';
const TOKEN = '/oauth2/token';

let endpoint: HttpReceiver;
let http: OutboundHttpClient;

beforeAll(async () => {
  endpoint = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
});
afterAll(async () => {
  await endpoint.stop();
  await http.close();
});
beforeEach(() => {
  endpoint.requests.length = 0;
  endpoint.script(INTROSPECT, introspectionFor(TOKENS));
});
afterEach(() => {
  vi.useRealTimers();
});

const nowS = () => Math.floor(Date.now() / 1000);

/** What the endpoint knows about each token; anything else is inactive. */
const TOKENS: Record<string, () => Record<string, unknown>> = {
  good: () => ({
    active: true,
    sub: 'alice',
    client_id: 'app',
    scope: 'orders.read profile',
    aud: ['api'],
    iss: 'https://issuer.example',
    token_use: 'access_token',
    token_type: 'Bearer',
    exp: nowS() + 3600,
    ext: { tenant: 't1' },
  }),
  refresh: () => ({ active: true, sub: 'alice', token_use: 'refresh_token', exp: nowS() + 3600 }),
  refreshType: () => ({ active: true, sub: 'alice', token_type: 'refresh_token', exp: nowS() + 3600 }),
  expired: () => ({ active: true, sub: 'alice', exp: nowS() - 3600 }),
  // Expired 2 s ago: refused, as Oathkeeper checks exp with no leeway.
  expiring: () => ({ active: true, sub: 'bob', exp: nowS() - 2 }),
  inactiveRefresh: () => ({ active: false, token_use: 'refresh_token' }),
  noExp: () => ({ active: true, sub: 'carol' }),
  // Oathkeeper reads the granted scopes from `scope` alone.
  scopeAndScp: () => ({ active: true, sub: 'dave', scope: 'read', scp: ['admin'], exp: nowS() + 3600 }),
};

function introspectionFor(tokens: typeof TOKENS) {
  return (req: ReceivedRequest) => {
    const token = new URLSearchParams(req.body).get('token') ?? '';
    const answer = tokens[token];
    return { status: 200, body: answer === undefined ? { active: false } : answer() };
  };
}

function registry(): HandlerRegistry {
  const base = defaultRegistry();
  return {
    ...base,
    authenticators: new Map([
      ...base.authenticators,
      [oauth2IntrospectionAuthenticator.id, oauth2IntrospectionAuthenticator],
    ]),
  };
}

function compile(config: Record<string, unknown> = {}) {
  const compiler = new PipelineCompiler(
    registry(),
    {
      authenticators: {
        oauth2_introspection: {
          enabled: true,
          config: { introspection_url: `${endpoint.url}${INTROSPECT}` },
        },
        anonymous: { enabled: true, config: { subject: 'anonymous' } },
      },
      authorizers: { allow: { enabled: true } },
      mutators: { noop: { enabled: true } },
    },
    { http },
  );
  return compiler.compile({
    id: 'r',
    authenticators: [{ handler: 'oauth2_introspection', config }, { handler: 'anonymous' }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  });
}

function pipeline(config: Record<string, unknown> = {}) {
  const compiled = compile(config);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return compiled.pipeline;
}

function bearer(token: string | undefined, url = 'https://app.example/orders'): PipelineRequest {
  return {
    method: 'GET',
    url: new URL(url),
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    captureGroups: [],
  };
}

describe('oauth2_introspection authenticator', () => {
  it('POSTs the token as a form and takes sub as subject, ext (plus username, client_id, scope, aud) as extra', async () => {
    const compiled = pipeline({
      preserve_host: true,
      introspection_request_headers: { 'X-Api-Key': 'k1', 'Content-Type': 'text/plain' },
    });
    const result = await runPipeline(compiled, bearer('good'));
    expect(result).toMatchObject({ kind: 'allow', subject: 'alice' });
    // Oathkeeper's session.Extra = i.Extra: `ext` only, with its four keys set over it.
    expect(result.kind === 'allow' && result.extra).toEqual({
      tenant: 't1',
      username: '',
      client_id: 'app',
      scope: 'orders.read profile',
      aud: ['api'],
    });
    const [sent] = endpoint.to(INTROSPECT);
    expect(sent?.method).toBe('POST');
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.headers['x-api-key']).toBe('k1');
    expect(sent?.headers['x-forwarded-host']).toBe('app.example');
    expect(Object.fromEntries(new URLSearchParams(sent?.body))).toEqual({ token: 'good' });
  });

  it('is not responsible without a token or when it lacks the prefix; reads token_from', async () => {
    expect(await runPipeline(pipeline(), bearer(undefined))).toMatchObject({ subject: 'anonymous' });
    // No authenticator takes it (anonymous never takes a request with Authorization): 401.
    expect(await runPipeline(pipeline({ prefix: 'ory_at_' }), bearer('good'))).toMatchObject({
      error: { kind: 'unauthorized' },
    });
    expect(endpoint.to(INTROSPECT)).toHaveLength(0);
    const fromQuery = pipeline({ token_from: { query_parameter: 'access_token' } });
    const result = await runPipeline(fromQuery, bearer(undefined, 'https://app.example/o?access_token=good'));
    expect(result).toMatchObject({ kind: 'allow', subject: 'alice' });
  });

  it.each([
    ['an inactive token', 'unknown', {}],
    ['an expired token', 'expired', {}],
    ['a token expired 2 s ago (no leeway)', 'expiring', {}],
  ])('refuses %s with 401', async (_name, token, config) => {
    const result = await runPipeline(pipeline(config), bearer(token));
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
  });

  it.each([
    ['a refresh token (token_use)', 'refresh', {}],
    ['an inactive refresh token (token_use is checked before active)', 'inactiveRefresh', {}],
    ['a missing audience', 'good', { target_audience: ['api', 'admin'] }],
    ['an untrusted issuer', 'good', { trusted_issuers: ['https://other.example'] }],
    ['a missing scope (exact)', 'good', { required_scope: ['orders'], scope_strategy: 'exact' }],
    ['a missing scope (wildcard)', 'good', { required_scope: ['orders.write'], scope_strategy: 'wildcard' }],
    ['a scope granted only in scp', 'scopeAndScp', { required_scope: ['admin'], scope_strategy: 'exact' }],
  ])('refuses %s with 403, as Oathkeeper', async (_name, token, config) => {
    const result = await runPipeline(pipeline(config), bearer(token));
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'forbidden', status: 403 } });
  });

  it('does not look at token_type, as Oathkeeper', async () => {
    expect(await runPipeline(pipeline(), bearer('refreshType'))).toMatchObject({
      kind: 'allow',
      subject: 'alice',
    });
  });

  it('accepts required scope, audience and issuer that the token has', async () => {
    const config = {
      required_scope: ['orders.read', 'profile'],
      scope_strategy: 'hierarchic',
      target_audience: ['api'],
      trusted_issuers: ['https://issuer.example'],
    };
    expect(await runPipeline(pipeline(config), bearer('good'))).toMatchObject({
      kind: 'allow',
      subject: 'alice',
    });
    expect(new URLSearchParams(endpoint.to(INTROSPECT)[0]?.body).has('scope')).toBe(false);
  });

  it('leaves the scope check to the endpoint when scope_strategy is none', async () => {
    await runPipeline(pipeline({ required_scope: ['orders.read', 'profile'] }), bearer('good'));
    expect(new URLSearchParams(endpoint.to(INTROSPECT)[0]?.body).get('scope')).toBe('orders.read profile');
  });

  it('answers 500 when the endpoint fails, without retrying (Oathkeeper does not)', async () => {
    endpoint.script(INTROSPECT, [
      { status: 503, body: {} },
      { status: 200, body: TOKENS.good!() },
    ]);
    const failing = await runPipeline(
      pipeline({ retry: { give_up_after: '2s', max_delay: '1ms' } }),
      bearer('good'),
    );
    expect(failing).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error', status: 500 } });
    expect(endpoint.to(INTROSPECT)).toHaveLength(1);

    endpoint.script(INTROSPECT, [{ status: 200, body: ['not', 'an', 'object'] }]);
    expect(await runPipeline(pipeline(), bearer('good'))).toMatchObject({
      error: { kind: 'internal_server_error' },
    });
  });

  it('answers 500 when the endpoint is down', async () => {
    const down = await startHttpReceiver();
    await down.stop();
    const result = await runPipeline(
      pipeline({ introspection_url: `${down.url}${INTROSPECT}` }),
      bearer('good'),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error', status: 500 } });
  });

  it('validates the config when the rule loads', () => {
    expect(compile({ introspection_url: 'ftp://idp/introspect' })).toMatchObject({ ok: false });
    expect(compile({ scope_strategy: 'fancy' })).toMatchObject({ ok: false });
    expect(compile({ introspection_request_headers: { 'X-N': 1 } })).toMatchObject({ ok: false });
    expect(compile({ cache: { enabled: true, ttl: '5 minutes' } })).toMatchObject({ ok: false });
    expect(compile({ pre_authorization: { enabled: true, client_id: 'c' } })).toMatchObject({ ok: false });
  });
});

describe('oauth2_introspection cache', () => {
  const cached = { cache: { enabled: true } };

  it('answers a repeated active token from the cache, never an inactive one', async () => {
    const compiled = pipeline(cached);
    await runPipeline(compiled, bearer('good'));
    const again = await runPipeline(compiled, bearer('good'));
    expect(again).toMatchObject({ kind: 'allow', subject: 'alice', extra: { tenant: 't1' } });
    expect(endpoint.to(INTROSPECT)).toHaveLength(1);
    await runPipeline(compiled, bearer('unknown'));
    await runPipeline(compiled, bearer('unknown'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(3);
  });

  it('never keeps a result past the token exp, nor without exp unless ttl is set', async () => {
    const compiled = pipeline(cached);
    await runPipeline(compiled, bearer('expiring'));
    expect(await runPipeline(compiled, bearer('expiring'))).toMatchObject({
      error: { kind: 'unauthorized' },
    });
    await runPipeline(compiled, bearer('noExp'));
    await runPipeline(compiled, bearer('noExp'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(4);

    const withTtl = pipeline({ cache: { enabled: true, ttl: '1m' } });
    await runPipeline(withTtl, bearer('noExp'));
    await runPipeline(withTtl, bearer('noExp'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(5);
  });

  it('expires entries at exp or after ttl, whichever comes first', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const compiled = pipeline({ cache: { enabled: true, ttl: '10m' } });
    await runPipeline(compiled, bearer('good')); // exp in 1 h: the ttl decides
    vi.setSystemTime(start + 9 * 60_000);
    await runPipeline(compiled, bearer('good'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(1);
    vi.setSystemTime(start + 11 * 60_000);
    await runPipeline(compiled, bearer('good'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(2);

    const long = pipeline({ cache: { enabled: true, ttl: '2h' } }); // exp in 1 h decides
    await runPipeline(long, bearer('good'));
    vi.setSystemTime(Date.now() + 61 * 60_000);
    await runPipeline(long, bearer('good'));
    expect(endpoint.to(INTROSPECT)).toHaveLength(4);
  });

  it('holds at most max_cost tokens', async () => {
    const tokens: typeof TOKENS = { ...TOKENS, a: TOKENS.good!, b: TOKENS.good!, c: TOKENS.good! };
    endpoint.script(INTROSPECT, introspectionFor(tokens));
    const compiled = pipeline({ cache: { enabled: true, max_cost: 2 } });
    for (const token of ['a', 'b', 'c', 'a']) await runPipeline(compiled, bearer(token));
    expect(endpoint.to(INTROSPECT)).toHaveLength(4); // `a` was evicted by `c`
  });
});

describe('oauth2_introspection pre_authorization', () => {
  const preAuthorized = () => ({
    pre_authorization: {
      enabled: true,
      client_id: 'oathkeeper',
      client_secret: 's3cret:+',
      token_url: `${endpoint.url}${TOKEN}`,
      scope: ['introspect', 'read'],
      audience: 'idp',
    },
  });
  let issued = 0;
  /** Our own tokens the endpoint accepts. */
  const accepted = new Set<string>();

  beforeEach(() => {
    issued = 0;
    accepted.clear();
    endpoint.script(TOKEN, () => {
      const token = `own-${++issued}`;
      accepted.add(token);
      return { status: 200, body: { access_token: token, expires_in: 3600 } };
    });
    endpoint.script(INTROSPECT, (req) =>
      accepted.has((req.headers.authorization ?? '').replace('Bearer ', ''))
        ? introspectionFor(TOKENS)(req)
        : { status: 401, body: { error: 'invalid_token' } },
    );
  });

  it('gets a token with the client credentials grant and sends it as Bearer, reusing it', async () => {
    const compiled = pipeline(preAuthorized());
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow', subject: 'alice' });
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow', subject: 'alice' });
    const grants = endpoint.to(TOKEN);
    expect(grants).toHaveLength(1);
    const basic = Buffer.from('oathkeeper:s3cret%3A%2B').toString('base64');
    expect(grants[0]?.headers.authorization).toBe(`Basic ${basic}`);
    expect(Object.fromEntries(new URLSearchParams(grants[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'introspect read',
      audience: 'idp',
    });
    expect(endpoint.to(INTROSPECT).map((r) => r.headers.authorization)).toEqual([
      'Bearer own-1',
      'Bearer own-1',
    ]);
  });

  it('renews its token shortly before expires_in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const compiled = pipeline(preAuthorized());
    await runPipeline(compiled, bearer('good'));
    vi.setSystemTime(Date.now() + 3580_000);
    await runPipeline(compiled, bearer('good'));
    expect(endpoint.to(TOKEN)).toHaveLength(1);
    vi.setSystemTime(Date.now() + 15_000); // within 10 s of expiry
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow' });
    expect(endpoint.to(TOKEN)).toHaveLength(2);
    expect(endpoint.to(INTROSPECT).at(-1)?.headers.authorization).toBe('Bearer own-2');
  });

  it('gets a new token once when the endpoint refuses the current one', async () => {
    const compiled = pipeline(preAuthorized());
    await runPipeline(compiled, bearer('good'));
    accepted.delete('own-1'); // revoked before it expired
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow', subject: 'alice' });
    expect(endpoint.to(INTROSPECT).map((r) => r.headers.authorization)).toEqual([
      'Bearer own-1',
      'Bearer own-1',
      'Bearer own-2',
    ]);
    endpoint.script(INTROSPECT, [{ status: 401, body: {} }]); // refuses every token: one renewal, then 500
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({
      error: { kind: 'internal_server_error' },
    });
    expect(endpoint.to(TOKEN)).toHaveLength(3);
  });

  it('sends its credentials in the form body when the token endpoint refuses Basic, and keeps doing so', async () => {
    endpoint.script(TOKEN, (req) => {
      const form = new URLSearchParams(req.body);
      if (req.headers.authorization !== undefined) return { status: 401, body: { error: 'invalid_client' } };
      if (form.get('client_id') !== 'oathkeeper' || form.get('client_secret') !== 's3cret:+')
        return { status: 400, body: { error: 'invalid_request' } };
      const token = `own-${++issued}`;
      accepted.add(token);
      return { status: 200, body: { access_token: token, expires_in: 3600 } };
    });
    const compiled = pipeline(preAuthorized());
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow', subject: 'alice' });
    accepted.delete('own-1'); // revoked: the renewal goes straight to the form body
    expect(await runPipeline(compiled, bearer('good'))).toMatchObject({ kind: 'allow', subject: 'alice' });
    const grants = endpoint.to(TOKEN);
    expect(grants.map((r) => r.headers.authorization?.split(' ')[0])).toEqual([
      'Basic',
      undefined,
      undefined,
    ]);
    expect(Object.fromEntries(new URLSearchParams(grants[1]?.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'introspect read',
      audience: 'idp',
      client_id: 'oathkeeper',
      client_secret: 's3cret:+',
    });
  });

  it('answers 500 when its own token cannot be had', async () => {
    endpoint.script(TOKEN, [{ status: 401, body: { error: 'invalid_client' } }]);
    const result = await runPipeline(pipeline(preAuthorized()), bearer('good'));
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error', status: 500 } });
    expect(endpoint.to(INTROSPECT)).toHaveLength(0);
  });
});
