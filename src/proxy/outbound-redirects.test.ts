import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { generateJwk, publicJwks } from './jwks/index.js';
import { call, startDecisionApi } from './testing/decision-api.js';
import {
  type LoopbackServer,
  type Reply,
  type SeenRequest,
  startLoopbackServer,
} from './testing/loopback-server.js';

/**
 * The access proxy's outbound calls follow redirects as Oathkeeper's Go clients do, through the
 * decision API of a real access proxy: the rules themselves, a session store, a key server, the
 * remote authorizers and a hydrator all sit behind redirects on real servers. `home` is
 * 127.0.0.1; `away` (127.0.0.2) is another host, where credentials must not follow.
 */

const HOST = { host: 'app.test' };
let home: LoopbackServer;
let away: LoopbackServer;
let proxy: Awaited<ReturnType<typeof startDecisionApi>>;
let signing: Awaited<ReturnType<typeof generateJwk>>;

const moved = (status: number, location: string): Reply => ({ status, headers: { location } });
const hasSessionCookie = (r: SeenRequest) => r.headers.cookie === 'sid=1';

const rule = (id: string, methods: string[], extra: Record<string, unknown>) => ({
  id,
  match: { url: `http://app.test/${id}`, methods },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  ...extra,
});

function rules(): unknown[] {
  const session = (url: string) => [
    { handler: 'cookie_session', config: { check_session_url: url, preserve_path: true } },
  ];
  return [
    rule('session-same-host', ['GET'], { authenticators: session(`${home.url}/session-moved`) }),
    rule('session-other-host', ['GET'], { authenticators: session(`${home.url}/session-away`) }),
    rule('session-loop', ['GET'], { authenticators: session(`${home.url}/loop`) }),
    rule('jwt', ['GET'], { authenticators: [{ handler: 'jwt' }] }),
    rule('remote-307', ['POST'], {
      authorizer: { handler: 'remote', config: { remote: `${home.url}/authz-307` } },
    }),
    rule('remote-303', ['POST'], {
      authorizer: { handler: 'remote', config: { remote: `${home.url}/authz-303` } },
    }),
    rule('remote-json-307', ['POST'], {
      authorizer: {
        handler: 'remote_json',
        config: { remote: `${home.url}/authz-json-307`, payload: '{"subject":"{{ print .Subject }}"}' },
      },
    }),
    rule('hydrator-308', ['GET'], {
      mutators: [
        { handler: 'hydrator', config: { api: { url: `${home.url}/hydrate-308` } } },
        { handler: 'header', config: { headers: { 'X-Role': '{{ print .Extra.role }}' } } },
      ],
    }),
  ];
}

function homeRoute(request: SeenRequest): Reply {
  const path = new URL(request.url, 'http://x').pathname;
  switch (path) {
    case '/rules-moved':
      return moved(302, '/rules.json');
    case '/rules.json':
      return { status: 200, body: rules() };
    case '/session-moved':
      return moved(302, '/session');
    case '/session':
      return hasSessionCookie(request) ? { status: 200, body: { subject: 'alice' } } : { status: 401 };
    case '/loop':
      return moved(302, '/loop');
    case '/session-away':
      return moved(302, `${away.url}/session`);
    case '/jwks-moved':
      return moved(301, '/jwks.json');
    case '/jwks.json':
      return { status: 200, body: publicJwks({ keys: [signing] }) };
    case '/authz-307':
    case '/authz-json-307':
      return moved(307, '/authz');
    case '/authz-303':
      return moved(303, '/authz');
    case '/authz':
      return { status: 200 };
    case '/hydrate-308':
      return moved(308, '/hydrate');
    case '/hydrate': {
      const session = JSON.parse(request.body) as { extra: Record<string, unknown> };
      return { status: 200, body: { ...session, extra: { ...session.extra, role: 'admin' } } };
    }
    default:
      return { status: 404 };
  }
}

beforeAll(async () => {
  signing = await generateJwk('RS256', 'moved-key');
  home = await startLoopbackServer('127.0.0.1', homeRoute);
  away = await startLoopbackServer('127.0.0.2', (request) =>
    hasSessionCookie(request) ? { status: 200, body: { subject: 'mallory' } } : { status: 401 },
  );
  const document = {
    serve: {},
    access_rules: { repositories: [`${home.url}/rules-moved`] },
    authenticators: {
      anonymous: { enabled: true },
      cookie_session: { enabled: true, config: { check_session_url: `${home.url}/session` } },
      jwt: { enabled: true, config: { jwks_urls: [`${home.url}/jwks-moved`] } },
    },
    authorizers: {
      allow: { enabled: true },
      remote: { enabled: true, config: { remote: `${home.url}/authz` } },
      remote_json: { enabled: true, config: { remote: `${home.url}/authz`, payload: '{}' } },
    },
    mutators: {
      header: { enabled: true, config: { headers: {} } },
      hydrator: { enabled: true, config: { api: { url: `${home.url}/hydrate` } } },
    },
    errors: { fallback: ['json'], handlers: { json: { enabled: true, config: { verbose: true } } } },
  } as unknown as KratosConfigDocument;
  proxy = await startDecisionApi(document);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([home?.stop(), away?.stop()]);
});

const decide = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  call(proxy.apiUrl, method, `/decisions/${path}`, { ...HOST, ...headers }, body);

describe('outbound calls follow redirects as Go http.Client', () => {
  it('loads rules from a repository URL that redirects', () => {
    expect(proxy.access.repository.rules().map((r) => r.id)).toContain('session-same-host');
  });

  it('follows a session store redirect on the same host with the cookie, and says where it came from', async () => {
    const res = await decide('GET', 'session-same-host', { cookie: 'sid=1' });
    expect(res.status).toBe(200);
    expect(res.headers['x-user']).toBe('alice');
    expect(home.to('/session').at(-1)?.headers.referer).toBe(`${home.url}/session-moved`);
  });

  it('does not take the cookie along to another host', async () => {
    const res = await decide('GET', 'session-other-host', { cookie: 'sid=1' });
    expect(res.status).toBe(401);
    expect(away.to('/session').at(-1)?.headers.cookie).toBeUndefined();
  });

  it('stops after 10 redirects: the session store cannot be asked, a 403 as Oathkeeper', async () => {
    const res = await decide('GET', 'session-loop', { cookie: 'sid=1' });
    expect(res.status).toBe(403);
    expect(home.to('/loop')).toHaveLength(11);
  });

  it('fetches a JSON Web Key Set through a redirect', async () => {
    const token = await new SignJWT({ sub: 'bob' })
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid ?? '' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(signing, 'RS256'));
    const res = await decide('GET', 'jwt', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers['x-user']).toBe('bob');
  });

  it('answers remote: a 307 is not followed (Go cannot send the streamed body again): 500', async () => {
    const before = home.to('/authz').length;
    const res = await decide('POST', 'remote-307', { 'content-type': 'text/plain' }, 'order=7');
    expect(res.status).toBe(500);
    expect(home.to('/authz')).toHaveLength(before);
  });

  it('answers remote: a 303 continues as a GET without the body', async () => {
    const res = await decide('POST', 'remote-303', { 'content-type': 'text/plain' }, 'order=7');
    expect(res.status).toBe(200);
    expect(home.to('/authz').at(-1)).toMatchObject({ method: 'GET', body: '' });
    expect(home.to('/authz').at(-1)?.headers['content-type']).toBeUndefined();
  });

  it('repeats remote_json and hydrator requests, method and body, on 307 and 308', async () => {
    const authorized = await decide('POST', 'remote-json-307');
    expect(authorized.status).toBe(200);
    expect(home.to('/authz').at(-1)).toMatchObject({ method: 'POST', body: `{"subject":"anonymous"}` });

    const hydrated = await decide('GET', 'hydrator-308');
    expect(hydrated.status).toBe(200);
    expect(hydrated.headers['x-role']).toBe('admin');
    expect(home.to('/hydrate').at(-1)?.method).toBe('POST');
  });
});
