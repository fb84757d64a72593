/**
 * Access rules and the API listener against Oathkeeper's behaviour, over real listeners
 * (startAccessProxy: the reverse proxy, the bare decision handler and Fastify behind it).
 */

import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { makeTempDir, type TempDir } from '../config/testing/temp-dir.js';
import { createOutboundHttp } from '../kernel/http-client.js';
import { type Logger, silentLogger } from '../kernel/logger.js';
import { INVALID_RULE_MESSAGE } from './rules/index.js';
import { OATHKEEPER_VERSION } from './rules/migrate.js';
import { type RunningAccessProxy, startAccessProxy } from './server.js';
import { call } from './testing/decision-api.js';

/** An upstream answering 200 with the path it was asked for. */
async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const rule = (id: string | undefined, path: string, extra: Record<string, unknown> = {}) => ({
  ...(id === undefined ? {} : { id }),
  match: { url: `http://app.test${path}`, methods: ['GET', 'POST'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  ...extra,
});

function document(repositories: string[]): KratosConfigDocument {
  return {
    serve: {
      proxy: { host: '127.0.0.1', port: 0, trust_forwarded_headers: true },
      api: { host: '127.0.0.1', port: 0 },
    },
    access_rules: { repositories },
    authenticators: { anonymous: { enabled: true } },
    authorizers: { allow: { enabled: true }, deny: { enabled: true } },
    // id_token stays disabled: a rule using it is invalid.
    mutators: { noop: { enabled: true }, header: { enabled: true, config: { headers: {} } } },
  } as KratosConfigDocument;
}

const inline = (rules: unknown[]) => `inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`;

async function start(repositories: string[], logger: Logger = silentLogger(), cwd = process.cwd()) {
  const running = await startAccessProxy(document(repositories), {
    http: createOutboundHttp({ disallowPrivateIpRanges: false }),
    logger,
    cwd,
    roles: { proxy: true, api: true },
  });
  if (running === undefined) throw new Error('the access proxy did not start');
  return running as RunningAccessProxy & { proxyUrl: string; apiUrl: string };
}

const HOST = { host: 'app.test' };
const SERVER_ERROR = JSON.stringify({
  error: {
    code: 500,
    status: 'Internal Server Error',
    message: 'An internal server error occurred, please contact the system administrator',
  },
});

let upstream: Awaited<ReturnType<typeof startUpstream>>;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('a rule that fails validation (Oathkeeper keeps it invalid: its URLs fail closed)', () => {
  let dir: TempDir;
  const running: RunningAccessProxy[] = [];
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    for (const proxy of running.splice(0)) await proxy.close();
    await dir.cleanup();
  });

  it('does not stop the start: the valid rule serves, the invalid one answers 500, logged', async () => {
    const logger = silentLogger();
    const errors = vi.spyOn(logger, 'error');
    const proxy = await start(
      [
        inline([
          rule('ok', '/ok', { upstream: { url: upstream.url } }),
          rule('broken', '/broken', { upstream: { url: upstream.url }, mutators: [{ handler: 'id_token' }] }),
        ]),
      ],
      logger,
    );
    running.push(proxy);
    expect((await call(proxy.apiUrl, 'GET', '/decisions/ok', HOST)).status).toBe(200);
    const refused = await call(proxy.apiUrl, 'GET', '/decisions/broken', HOST);
    expect([refused.status, refused.body]).toEqual([500, SERVER_ERROR]);
    // Proxy mode alike.
    expect((await call(proxy.proxyUrl, 'GET', '/ok', HOST)).body).toBe(JSON.stringify({ path: '/ok' }));
    const proxied = await call(proxy.proxyUrl, 'GET', '/broken', HOST);
    expect([proxied.status, proxied.body]).toEqual([500, SERVER_ERROR]);
    // Only valid rules are listed and counted, as Oathkeeper's repository.
    const listed = JSON.parse((await call(proxy.apiUrl, 'GET', '/rules')).body) as { id: string }[];
    expect(listed.map((r) => r.id)).toEqual(['ok']);
    expect((await call(proxy.apiUrl, 'GET', '/rules/broken')).status).toBe(404);
    expect(errors.mock.calls.filter((c) => c[1] === INVALID_RULE_MESSAGE).map((c) => c[0])).toEqual([
      expect.objectContaining({
        rule_id: 'broken',
        problems: ['mutators[0].handler: mutator "id_token" is not enabled'],
      }),
    ]);
  });

  it('on reload applies the edit: rule A tightened takes effect though rule B is broken in the same edit', async () => {
    const file = await dir.write('rules.json', JSON.stringify([rule('a', '/a/<.*>'), rule('b', '/b')]));
    const proxy = await start(['file://rules.json'], silentLogger(), dir.path);
    running.push(proxy);
    expect((await call(proxy.apiUrl, 'GET', '/decisions/a/admin', HOST)).status).toBe(200);
    await writeFile(
      file,
      JSON.stringify([
        rule('a', '/a/<.*>', { authorizer: { handler: 'deny' } }),
        rule('b', '/b', { mutators: [{ handler: 'id_token' }] }),
      ]),
    );
    expect(await proxy.access.repository.reload()).toBe(true);
    expect((await call(proxy.apiUrl, 'GET', '/decisions/a/admin', HOST)).status).toBe(403);
    expect((await call(proxy.apiUrl, 'GET', '/decisions/b', HOST)).status).toBe(500);
  });
});

describe('rule ids, as Oathkeeper: optional and repeated', () => {
  it('loads them all; GET /rules/{id} is the first of its id', async () => {
    const proxy = await start([
      inline([
        { ...rule('dup', '/one'), description: 'first' },
        { ...rule('dup', '/two'), description: 'second' },
        rule(undefined, '/anonymous'),
        rule('x'.repeat(200), '/long'),
      ]),
    ]);
    try {
      const first = await call(proxy.apiUrl, 'GET', '/rules/dup');
      expect(JSON.parse(first.body)).toMatchObject({ id: 'dup', description: 'first' });
      for (const path of ['/one', '/two', '/anonymous', '/long'])
        expect((await call(proxy.apiUrl, 'GET', `/decisions${path}`, HOST)).status, path).toBe(200);
      const listed = JSON.parse((await call(proxy.apiUrl, 'GET', '/rules')).body) as { id: string }[];
      expect(listed.map((r) => r.id.length)).toEqual([3, 3, 0, 200]);
    } finally {
      await proxy.close();
    }
  });
});

describe('the API listener, as Oathkeeper', () => {
  let proxy: RunningAccessProxy & { proxyUrl: string; apiUrl: string };
  const many = Array.from({ length: 60 }, (_, i) => rule(`r${i}`, `/r${i}`));
  beforeAll(async () => {
    proxy = await start([
      inline([
        rule('one', '/one'),
        rule('dav', '/dav/<.*>', {
          match: { url: 'http://app.test/dav/<.*>', methods: ['PROPFIND', 'REPORT'] },
        }),
        rule('deny', '/deny', { authorizer: { handler: 'deny' } }),
        {
          id: 'shape',
          match: { url: 'http://app.test/shape' },
          authenticators: [{ handler: 'anonymous' }],
          authorizer: { handler: 'allow' },
          mutators: [{ handler: 'noop' }],
        },
      ]),
      inline(many),
    ]);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('decides any method the gateway forwards (WebDAV PROPFIND, REPORT), bare or with a body', async () => {
    const bare = await call(proxy.apiUrl, 'PROPFIND', '/decisions/dav/x', HOST);
    expect([bare.status, bare.headers['x-user']]).toEqual([200, 'anonymous']);
    const withBody = await call(
      proxy.apiUrl,
      'REPORT',
      '/decisions/dav/x',
      { ...HOST, 'content-type': 'application/xml' },
      '<D:report/>',
    );
    expect(withBody.status).toBe(200);
    const forwarded = await call(proxy.apiUrl, 'GET', '/decisions', {
      'x-forwarded-method': 'PROPFIND',
      'x-forwarded-host': 'app.test',
      'x-forwarded-uri': '/dav/y',
    });
    expect(forwarded.status).toBe(200);
    expect((await call(proxy.apiUrl, 'MKCOL', '/decisions/dav/x', HOST)).status).toBe(404);
  });

  it('answers an allowed decision with the mutated headers only: no Content-Type, no Cache-Control', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['POST', '{}'],
    ] as const) {
      const headers = body === undefined ? HOST : { ...HOST, 'content-type': 'application/json' };
      const allowed = await call(proxy.apiUrl, method, '/decisions/one', headers, body);
      expect(allowed.status, method).toBe(200);
      expect(allowed.headers['x-user'], method).toBe('anonymous');
      expect(allowed.headers['content-type'], method).toBeUndefined();
      expect(allowed.headers['cache-control'], method).toBeUndefined();
      expect([allowed.headers['content-length'], allowed.body], method).toEqual(['0', '']);
    }
    // An error answer keeps its own.
    const denied = await call(proxy.apiUrl, 'GET', '/decisions/deny', HOST);
    expect([denied.status, denied.headers['content-type'], denied.headers['cache-control']]).toEqual([
      403,
      'application/json; charset=utf-8',
      'private, no-store',
    ]);
  });

  it('pages GET /rules as ory/x pagination.Parse(r, 50, 0, 500)', async () => {
    const ids = async (query: string) =>
      (JSON.parse((await call(proxy.apiUrl, 'GET', `/rules${query}`)).body) as { id: string }[]).map(
        (r) => r.id,
      );
    const all = ['one', 'dav', 'deny', 'shape', ...many.map((r) => r.id)];
    expect(await ids('')).toEqual(all.slice(0, 50));
    expect(await ids('?limit=0')).toEqual([]);
    expect(await ids('?limit=-5')).toEqual([]);
    expect(await ids('?limit=10abc')).toEqual(all.slice(0, 50));
    expect(await ids('?limit=1000')).toEqual(all);
    expect(await ids('?offset=60')).toEqual(all.slice(60));
    expect(await ids('?offset=60')).toHaveLength(4);
    expect(await ids('?offset=70')).toEqual([]);
    expect(await ids('?offset=-3&limit=2')).toEqual(['one', 'dav']);
    expect(await ids('?offset=x&limit=2&limit=5')).toEqual(['one', 'dav']);
  });

  it("writes rules in Oathkeeper's JSON: struct order, null for what the rule leaves out", async () => {
    const shape = await call(proxy.apiUrl, 'GET', '/rules/shape');
    expect(shape.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(shape.body).toBe(
      JSON.stringify({
        id: 'shape',
        version: OATHKEEPER_VERSION,
        description: '',
        match: { methods: null, url: 'http://app.test/shape' },
        authenticators: [{ handler: 'anonymous', config: null }],
        authorizer: { handler: 'allow', config: null },
        mutators: [{ handler: 'noop', config: null }],
        errors: null,
        upstream: { preserve_host: false, strip_path: '', url: '' },
      }),
    );
    const missing = await call(proxy.apiUrl, 'GET', '/rules/nope');
    expect([missing.status, missing.headers['content-type'], missing.body]).toEqual([
      404,
      'application/json; charset=utf-8',
      JSON.stringify({
        error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found' },
      }),
    ]);
  });
});

describe('decisions for WebSocket upgrades behind Traefik', () => {
  let socketProxy: RunningAccessProxy & { proxyUrl: string; apiUrl: string };
  beforeAll(async () => {
    socketProxy = await start([
      inline([
        rule('one', '/one'),
        rule('socket', '/socket', { match: { url: '<https|wss>://app.test/socket', methods: ['GET'] } }),
      ]),
    ]);
  });
  afterAll(async () => {
    await socketProxy.close();
  });

  it("takes Traefik's X-Forwarded-Proto: wss of a WebSocket upgrade as the scheme, matched as written", async () => {
    const socket = (proto: string, path: string) =>
      call(socketProxy.apiUrl, 'GET', '/decisions', {
        'x-forwarded-proto': proto,
        'x-forwarded-host': 'app.test',
        'x-forwarded-uri': path,
      });
    expect((await socket('wss', '/socket')).status).toBe(200);
    expect((await socket('https', '/socket')).status).toBe(200);
    // A rule written for http:// does not match a wss:// request (404), as in Oathkeeper.
    expect((await socket('wss', '/one')).status).toBe(404);
    expect((await socket('ftp', '/one')).status).toBe(400);
  });
});

describe('proxy mode, trusted X-Forwarded-Proto (Oathkeeper EnrichRequestedURL)', () => {
  let proxy: RunningAccessProxy & { proxyUrl: string; apiUrl: string };
  beforeAll(async () => {
    proxy = await start([
      inline([
        { ...rule('http', '/x'), upstream: { url: `${upstream.url}/via-http` } },
        {
          ...rule('https', '/x'),
          match: { url: 'https://app.test/x', methods: ['GET'] },
          upstream: { url: `${upstream.url}/via-https` },
        },
      ]),
    ]);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('uses the header only when it is exactly http or https (any case), else the connection', async () => {
    const via = async (proto: string | string[] | undefined) => {
      const headers = proto === undefined ? HOST : { ...HOST, 'x-forwarded-proto': proto };
      const answer = await call(proxy.proxyUrl, 'GET', '/x', headers);
      return answer.status === 200 ? (JSON.parse(answer.body) as { path: string }).path : answer.status;
    };
    expect(await via(undefined)).toBe('/via-http/x');
    expect(await via('HTTPS')).toBe('/via-https/x');
    expect(await via('http')).toBe('/via-http/x');
    expect(await via('wss')).toBe('/via-http/x');
    expect(await via('https, http')).toBe('/via-http/x');
    // Two field lines: Go's Header.Get reads the first.
    expect(await via(['https', 'http'])).toBe('/via-https/x');
  });
});
