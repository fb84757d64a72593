import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { createOutboundHttp } from '../kernel/http-client.js';
import { silentLogger } from '../kernel/logger.js';
import { type AccessControl, createAccessControl } from './access.js';
import { apiListenerSettings } from './config.js';
import { compileCors } from './cors.js';
import { createDecisionListener, isDecisionTarget } from './decision-listener.js';
import { type Listener, listen } from './listener.js';
import { buildApiApp } from './server.js';

const rule = (id: string, prefix: string, authorizer: string, mutators: unknown[], errors?: unknown[]) => ({
  id,
  match: {
    url: `http://app.test${prefix}<.*>`,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: authorizer },
  mutators,
  ...(errors !== undefined ? { errors } : {}),
});

const rules = [
  rule('anon', '/anon/', 'allow', [
    {
      handler: 'header',
      config: {
        headers: {
          'X-User': '{{ print .Subject }}',
          'x-missing': '{{ .Extra.nope }}',
          'Cache-Control': 'no',
        },
      },
    },
  ]),
  rule('deny', '/deny/', 'deny', [{ handler: 'noop' }]),
  rule(
    'redir',
    '/redir/',
    'deny',
    [{ handler: 'noop' }],
    [{ handler: 'redirect', config: { to: 'http://login.test/' } }],
  ),
  rule('www', '/www/', 'deny', [{ handler: 'noop' }], [{ handler: 'www_authenticate' }]),
  rule('dup1', '/dup/', 'allow', [{ handler: 'noop' }]),
  rule('dup2', '/dup/', 'allow', [{ handler: 'noop' }]),
];

function document(cors: boolean): KratosConfigDocument {
  return {
    serve: {
      api: {
        host: '127.0.0.1',
        ...(cors
          ? { cors: { enabled: true, allowed_origins: ['http://ok.test'], exposed_headers: ['X-User'] } }
          : {}),
      },
    },
    access_rules: { repositories: [`inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`] },
    authenticators: { anonymous: { enabled: true } },
    authorizers: { allow: { enabled: true }, deny: { enabled: true } },
    mutators: { noop: { enabled: true }, header: { enabled: true, config: { headers: {} } } },
    errors: {
      handlers: {
        json: { enabled: true, config: {} },
        redirect: { enabled: true, config: { to: 'http://x.test/' } },
        www_authenticate: { enabled: true, config: {} },
      },
    },
  } as KratosConfigDocument;
}

/** Fastify alone, and the bare handler in front of the same Fastify app. */
interface Pair {
  access: AccessControl;
  app: FastifyInstance;
  fastify: Listener;
  bare: Listener;
  /** Requests the bare handler took. */
  taken: string[];
}

async function startPair(cors: boolean): Promise<Pair> {
  const doc = document(cors);
  const logger = silentLogger();
  const access = await createAccessControl(doc, {
    http: createOutboundHttp({ disallowPrivateIpRanges: false }),
    logger,
    cwd: process.cwd(),
  });
  const settings = { ...apiListenerSettings(doc), port: 0 };
  const policy = compileCors(settings.cors);
  const app = await buildApiApp({ access, logger, cors: policy });
  await app.ready();
  const decisions = createDecisionListener({ access, logger, cors: policy });
  const taken: string[] = [];
  const fastify = await listen(settings, undefined, (req, res) => app.routing(req, res));
  const bare = await listen(settings, undefined, (req, res) => {
    if (decisions.handle(req, res)) taken.push(`${req.method} ${req.url}`);
    else app.routing(req, res);
  });
  return { access, app, fastify, bare, taken };
}

/** The raw answer to a raw request, `Date` blanked. */
function exchange(listener: Listener, request: string): Promise<string> {
  const { port } = (listener.server as Server).address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => resolve(data.replace(/^Date: .*$/m, 'Date: -')));
    socket.on('error', reject);
    socket.write(request);
  });
}

const forwarded = (uri: string, extra = '') =>
  `X-Forwarded-Method: GET\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: app.test\r\nX-Forwarded-Uri: ${uri}\r\n${extra}`;

/** [method, target, extra header lines] */
const cases: Array<[string, string, string]> = [
  ['GET', '/decisions', forwarded('/anon/x?y=1')],
  ['GET', '/decisions/', forwarded('/anon/x')],
  ['GET', '/decisions?q=1', forwarded('/anon/x')],
  ['HEAD', '/decisions', forwarded('/anon/x')],
  ['OPTIONS', '/decisions', forwarded('/anon/x')],
  ['POST', '/decisions', forwarded('/anon/x')],
  ['POST', '/decisions', forwarded('/anon/x', 'Content-Length: 0\r\n')],
  ['POST', '/decisions', forwarded('/anon/x', 'Content-Type: ;;bad\r\n')],
  ['DELETE', '/decisions', forwarded('/anon/x')],
  ['TRACE', '/decisions', forwarded('/anon/x')],
  ['PROPFIND', '/decisions', forwarded('/anon/x')],
  ['PROPFIND', '/decisions/anon/x', ''],
  ['M-SEARCH', '/decisions', forwarded('/anon/x')],
  ['PURGE', '/decisions', forwarded('/anon/x', 'Content-Type: ;;bad\r\n')],
  ['GET', '/decisions', forwarded('/anon/x', 'Content-Type: ;;bad\r\n')],
  ['GET', '/decisions', forwarded('/deny/x')],
  ['HEAD', '/decisions', forwarded('/deny/x')],
  ['GET', '/decisions', forwarded('/redir/x', 'Accept: text/html\r\n')],
  ['GET', '/decisions', forwarded('/www/x')],
  ['GET', '/decisions', forwarded('/dup/x')],
  ['GET', '/decisions', forwarded('/nothing')],
  ['GET', '/decisions', forwarded('/%zz')],
  ['GET', '/decisions', forwarded(`/${'a'.repeat(5000)}`)],
  ['GET', '/decisions', forwarded('/anon/x', 'Authorization: Bearer x\r\n')],
  ['GET', '/decisions/anon/x?a=b', ''],
  ['GET', '/decisions/%zz', ''],
  ['GET', '/decisions/%', ''],
  ['GET', '/decisions/anon/caf%C3%A9.txt', ''],
  ['GET', '/decisions/anon/a%2Fb%3Fc%25?d=%E9', ''],
  ['GET', '/decisions/deny/caf%C3%A9', ''],
  ['GET', '/decisionsX', ''],
  ['GET', '/decisions;x', ''],
  ['GET', '/decision%73/anon/x', ''],
  ['GET', '/decisions', forwarded('/anon/x', 'Origin: http://ok.test\r\n')],
  ['GET', '/decisions', forwarded('/anon/x', 'Origin: http://bad.test\r\n')],
  ['GET', '/decisions', forwarded('/deny/x', 'Origin: http://ok.test\r\n')],
  [
    'OPTIONS',
    '/decisions',
    forwarded('/anon/x', 'Origin: http://ok.test\r\nAccess-Control-Request-Method: GET\r\n'),
  ],
  ['GET', '/rules/anon', ''],
  ['GET', '/health/alive', ''],
];

for (const cors of [false, true]) {
  describe(`the bare decision handler${cors ? ' with CORS' : ''}`, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await startPair(cors);
    });
    afterAll(async () => {
      await Promise.all([pair.fastify.close(), pair.bare.close()]);
      await pair.app.close();
      pair.access.close();
    });

    it('answers byte for byte what the Fastify routes answer', async () => {
      for (const [method, target, extra] of cases) {
        const request = `${method} ${target} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n${extra}\r\n`;
        const [viaFastify, viaBare] = await Promise.all([
          exchange(pair.fastify, request),
          exchange(pair.bare, request),
        ]);
        expect(viaBare, `${method} ${target} ${extra}`).toBe(viaFastify);
      }
    });

    it('takes plain decisions and leaves bodies, odd paths and preflights to Fastify', () => {
      expect(pair.taken).toContain('GET /decisions');
      expect(pair.taken).toContain('HEAD /decisions');
      expect(pair.taken).toContain('POST /decisions');
      expect(pair.taken).toContain('GET /decisions/anon/x?a=b');
      // Well-formed escapes: Fastify's router decodes them and routes to the same handler.
      expect(pair.taken).toContain('GET /decisions/anon/caf%C3%A9.txt');
      expect(pair.taken).toContain('GET /decisions/anon/a%2Fb%3Fc%25?d=%E9');
      for (const path of [
        '/decisions/%zz',
        '/decisions/%',
        '/decisionsX',
        '/decisions;x',
        '/decision%73/anon/x',
        '/rules/anon',
      ])
        expect(pair.taken).not.toContain(`GET ${path}`);
      // Every method is a decision (Oathkeeper takes any): TRACE and WebDAV's among them.
      expect(pair.taken).toContain('TRACE /decisions');
      expect(pair.taken).toContain('PROPFIND /decisions');
      expect(pair.taken).toContain('M-SEARCH /decisions');
      // PURGE may carry a body: its Content-Type is Fastify's to check.
      expect(pair.taken).not.toContain('PURGE /decisions');
      // One POST without a body or a Content-Type, one with Content-Length: 0; none with one.
      expect(pair.taken.filter((r) => r === 'POST /decisions')).toHaveLength(2);
      // With CORS on, a preflight is the hook's to answer; without, it is a decision like any.
      expect(pair.taken.filter((r) => r === 'OPTIONS /decisions')).toHaveLength(cors ? 1 : 2);
    });
  });
}

describe('a decision path with an escape that is not UTF-8', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(false);
  });
  afterAll(async () => {
    await Promise.all([pair.fastify.close(), pair.bare.close()]);
    await pair.app.close();
    pair.access.close();
  });

  // Go's URL parser takes any %HH (Oathkeeper decides), and so does the proxy port; Fastify's
  // router decodes the path and refuses it (FST_ERR_BAD_URL) before any route is chosen.
  it('is decided as the same URL in X-Forwarded-Uri is, not refused by the router', async () => {
    for (const path of [
      '/anon/caf%E9.txt',
      '/anon/%FF',
      '/anon/%C0%AF',
      '/anon/%E2%82',
      '/deny/caf%E9',
      '/nothing/%E9',
    ]) {
      const bare = await exchange(
        pair.bare,
        `GET /decisions${path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n`,
      );
      const forwardedUri = await exchange(
        pair.fastify,
        `GET /decisions HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n${forwarded(path)}\r\n`,
      );
      expect(bare, path).not.toContain('FST_ERR_BAD_URL');
      expect(bare, path).toBe(forwardedUri);
      expect(pair.taken).toContain(`GET /decisions${path}`);
    }
    expect(
      await exchange(
        pair.bare,
        'GET /decisions/anon/caf%E9.txt HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('isDecisionTarget', () => {
  it('accepts the decision paths without malformed escapes', () => {
    for (const target of [
      '/decisions',
      '/decisions/',
      '/decisions?x=%20',
      '/decisions/a/b?c',
      '/decisions/a?%zz',
      '/decisions/%61',
      '/decisions/caf%E9',
      '/decisions/%aF%00',
    ])
      expect(isDecisionTarget(target), target).toBe(true);
    for (const target of [
      '/decision',
      '/decisionsX',
      '/decisions;x',
      '/decisions#x',
      '/decisions/%zz',
      '/decisions/%6',
      '/decisions/%',
      '/decisions/%6?x',
      '/decision%73',
      '/decisions%2Fx',
      '/x/decisions',
    ])
      expect(isDecisionTarget(target), target).toBe(false);
  });
});
