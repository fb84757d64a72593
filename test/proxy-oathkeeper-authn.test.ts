import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KratosConfigDocument } from '../src/config/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { generateJwk, publicJwks } from '../src/proxy/jwks/index.js';
import { call, startDecisionApi } from '../src/proxy/testing/decision-api.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';

/**
 * Authenticators, rule loading and error bodies against Oathkeeper's behaviour, through the
 * decision API of a real access proxy, with a real JWKS server, introspection endpoint, token
 * endpoint and session store (one HTTP receiver) behind it.
 */

const HOST = { host: 'app.test' };
const nowS = () => Math.floor(Date.now() / 1000);

let idp: HttpReceiver;
let signing: Awaited<ReturnType<typeof generateJwk>>;
let unlabelled: Awaited<ReturnType<typeof generateJwk>>;
let proxy: Awaited<ReturnType<typeof startDecisionApi>>;
const logger = silentLogger();
const warn = vi.spyOn(logger, 'warn');

const rule = (id: string, path: string, extra: Record<string, unknown>) => ({
  id,
  match: { url: `http://app.test${path}`, methods: ['GET'] },
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  ...extra,
});

const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;

async function jwt(claims: Record<string, unknown>, key = signing): Promise<string> {
  const { iat, ...rest } = claims;
  const token = new SignJWT({ sub: 'alice', exp: nowS() + 300, ...rest })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid ?? '' })
    .setIssuedAt(typeof iat === 'number' ? iat : nowS());
  return token.sign(await importJWK(key, 'RS256'));
}

beforeAll(async () => {
  idp = await startHttpReceiver();
  signing = await generateJwk('RS256', 'with-use');
  unlabelled = await generateJwk('RS256', 'without-use');
  const published = publicJwks({ keys: [signing, unlabelled] });
  // The second key is published without `use`: Oathkeeper never verifies with it.
  idp.script('/jwks.json', [
    { status: 200, body: { keys: published.keys.map((k, i) => (i === 1 ? { ...k, use: undefined } : k)) } },
  ]);
  idp.script('/session', [
    {
      status: 200,
      body: {
        identity: {
          id: 'i-1',
          verifiable_addresses: [
            { via: 'sms', value: '+100' },
            { via: 'email', value: 'alice@example.com' },
          ],
          traits: { emails: [{ v: 'a@x' }, { v: 'b@x' }] },
        },
      },
    },
  ]);
  const jwks = `${idp.url}/jwks.json`;
  const introspectionUrl = `${idp.url}/introspect`;
  const document = {
    serve: {},
    access_rules: {
      repositories: [
        inline([
          rule('jwt', '/jwt', { authenticators: [{ handler: 'jwt' }] }),
          rule('jwt-scope', '/jwt-scope', {
            authenticators: [
              { handler: 'jwt', config: { required_scope: ['orders.read.all'], scope_strategy: 'wildcard' } },
            ],
          }),
          rule('introspect', '/introspect', {
            authenticators: [{ handler: 'oauth2_introspection' }],
            mutators: [{ handler: 'header', config: { headers: { 'X-Extra': '{{ toJson .Extra }}' } } }],
          }),
          rule('introspect-scope', '/introspect-scope', {
            authenticators: [
              {
                handler: 'oauth2_introspection',
                config: { required_scope: ['orders.read.all'], scope_strategy: 'wildcard' },
              },
            ],
          }),
          rule('session-query', '/session-query', {
            authenticators: [
              {
                handler: 'cookie_session',
                config: { subject_from: 'identity.verifiable_addresses.#(via=="email").value' },
              },
            ],
          }),
          rule('session-unsupported', '/session-unsupported', {
            authenticators: [
              { handler: 'cookie_session', config: { subject_from: 'identity.traits|@reverse' } },
            ],
          }),
          rule('client-credentials', '/client-credentials', {
            authenticators: [{ handler: 'oauth2_client_credentials' }],
          }),
          {
            ...rule('unknown-keys', '/unknown-keys', { authenticators: [{ handler: 'anonymous' }] }),
            match: { url: 'http://app.test/unknown-keys', methods: ['GET'], comment: 'x' },
            meta: { owner: 'team-a' },
          },
          rule('case-insensitive', '/<(?i)admin>/panel', { authenticators: [{ handler: 'anonymous' }] }),
          // Listed for DELETE only: an uncompilable pattern fails every request of its methods.
          {
            ...rule('ungreedy', '/<(?U)a+>', { authenticators: [{ handler: 'anonymous' }] }),
            match: { url: 'http://app.test/<(?U)a+>', methods: ['DELETE'] },
          },
        ]),
      ],
    },
    authenticators: {
      anonymous: { enabled: true },
      jwt: { enabled: true, config: { jwks_urls: [jwks] } },
      oauth2_introspection: { enabled: true, config: { introspection_url: introspectionUrl } },
      cookie_session: {
        enabled: true,
        config: { check_session_url: `${idp.url}/session`, preserve_path: true },
      },
      oauth2_client_credentials: {
        enabled: true,
        config: { token_url: `${idp.url}/token`, retry: { give_up_after: '50ms', max_delay: '1ms' } },
      },
    },
    authorizers: { allow: { enabled: true } },
    mutators: { header: { enabled: true, config: { headers: {} } } },
    errors: { fallback: ['json'], handlers: { json: { enabled: true, config: { verbose: false } } } },
  } as unknown as KratosConfigDocument;
  proxy = await startDecisionApi(document, logger);
});

afterAll(async () => {
  await proxy?.close();
  await idp?.stop();
});

const decide = (path: string, headers: Record<string, string> = {}) =>
  call(proxy.apiUrl, 'GET', `/decisions${path}`, { ...HOST, ...headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('jwt, as Oathkeeper (credentials/verifier_default.go, fetcher_default.go)', () => {
  it('verifies only with keys whose use is "sig"', async () => {
    expect((await decide('/jwt', bearer(await jwt({})))).status).toBe(200);
    expect((await decide('/jwt', bearer(await jwt({}, unlabelled)))).status).toBe(401);
  });

  it('refuses an iat in the future and an exp just passed (no leeway)', async () => {
    expect((await decide('/jwt', bearer(await jwt({ iat: nowS() + 3600 })))).status).toBe(401);
    expect((await decide('/jwt', bearer(await jwt({ exp: nowS() - 2, iat: nowS() - 60 })))).status).toBe(401);
  });

  it('lets a trailing * scope cover deeper scopes (fosite WildcardScopeStrategy)', async () => {
    expect((await decide('/jwt-scope', bearer(await jwt({ scp: ['orders.*'] })))).status).toBe(200);
    expect((await decide('/jwt-scope', bearer(await jwt({ scp: ['orders'] })))).status).toBe(401);
  });
});

describe('oauth2_introspection, as Oathkeeper (authenticator_oauth2_introspection.go)', () => {
  const answer = (body: Record<string, unknown>) => idp.script('/introspect', [{ status: 200, body }]);

  it('gives ext plus username, client_id, scope and aud as extra, nothing else of the response', async () => {
    answer({
      active: true,
      sub: 'bob',
      iss: 'https://issuer',
      scope: 's',
      aud: 'api',
      exp: nowS() + 60,
      ext: { t: 1 },
    });
    const res = await decide('/introspect', bearer('opaque'));
    expect(res.status).toBe(200);
    expect(JSON.parse(String(res.headers['x-extra']))).toEqual({
      t: 1,
      username: '',
      client_id: '',
      scope: 's',
      aud: ['api'],
    });
  });

  it('checks token_use before active, exp with no leeway, and never token_type', async () => {
    answer({ active: false, token_use: 'refresh_token' });
    expect((await decide('/introspect', bearer('t1'))).status).toBe(403);
    answer({ active: true, sub: 'bob', exp: nowS() - 2 });
    expect((await decide('/introspect', bearer('t2'))).status).toBe(401);
    answer({ active: true, sub: 'bob', token_type: 'refresh_token', exp: nowS() + 60 });
    expect((await decide('/introspect', bearer('t3'))).status).toBe(200);
  });

  it('lets a trailing * scope cover deeper scopes', async () => {
    answer({ active: true, sub: 'bob', scope: 'orders.*', exp: nowS() + 60 });
    expect((await decide('/introspect-scope', bearer('t4'))).status).toBe(200);
  });
});

describe('cookie_session subject_from, full GJSON as Oathkeeper', () => {
  it('finds the subject with a #(...) query', async () => {
    const res = await decide('/session-query', { cookie: 'ory_kratos_session=x' });
    expect([res.status, res.headers['x-user']]).toEqual([200, 'alice@example.com']);
  });

  it('fails a rule whose path uses unsupported GJSON at load (500) instead of an empty subject', async () => {
    expect((await decide('/session-unsupported', { cookie: 'ory_kratos_session=x' })).status).toBe(500);
  });
});

describe('oauth2_client_credentials token endpoint failures, as Oathkeeper', () => {
  it.each([
    [503, 503],
    [504, 504],
    [404, 404],
    [500, 500],
    [502, 401],
    [400, 401],
  ])('token endpoint %i: %i', async (upstream, status) => {
    idp.script('/token', [{ status: upstream, body: {} }]);
    const basic = `Basic ${Buffer.from('client:secret').toString('base64')}`;
    expect((await decide('/client-credentials', { authorization: basic })).status).toBe(status);
  });
});

describe('the json error handler', () => {
  it("puts the client's X-Request-ID in the body as herodot does", async () => {
    const res = await decide('/jwt', { ...bearer(await jwt({}, unlabelled)), 'x-request-id': 'req-42' });
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 401,
        status: 'Unauthorized',
        request: 'req-42',
        message: 'The request could not be authorized',
      },
    });
  });
});

describe('access rules, as Oathkeeper loads them', () => {
  it('ignores unknown keys (rule.go UnmarshalJSON), with a warning', async () => {
    expect((await decide('/unknown-keys')).status).toBe(200);
    const fields = warn.mock.calls.map((c) => (c[0] as { field?: string }).field);
    expect(fields).toEqual(expect.arrayContaining(['match.comment', 'meta']));
  });

  it('takes (?i) in a regexp, scoped to its <...> group as regexp2 does', async () => {
    expect((await decide('/ADMIN/panel')).status).toBe(200);
    expect((await decide('/admin/panel')).status).toBe(200);
    expect((await decide('/admin/PANEL')).status).toBe(404);
  });

  it('refuses an inline flag JavaScript cannot express: the rule fails closed', async () => {
    expect((await call(proxy.apiUrl, 'DELETE', '/decisions/aaa', HOST)).status).toBe(500);
  });
});
