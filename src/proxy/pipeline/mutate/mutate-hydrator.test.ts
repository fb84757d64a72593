import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CannedResponse,
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import type { HandlerRef } from '../compile.js';
import { defaultRegistry, PipelineCompiler, type PipelineGlobalConfig, runPipeline } from '../index.js';
import type { PipelineRequest } from '../session.js';

let receiver: HttpReceiver;
let http: OutboundHttpClient;
let compiler: PipelineCompiler;

/** What a typical hydrator API does: echo the session with more in extra and a header. */
function enrich(req: ReceivedRequest): CannedResponse {
  const session = JSON.parse(req.body) as {
    extra: Record<string, unknown>;
    header: Record<string, string[]>;
  };
  return {
    status: 200,
    body: {
      ...session,
      extra: { ...session.extra, role: 'admin', groups: ['a', 'b'] },
      header: { ...session.header, 'X-Hydrated': ['yes'] },
    },
  };
}

beforeAll(async () => {
  receiver = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
  const global: PipelineGlobalConfig = {
    authenticators: { anonymous: { enabled: true, config: { subject: 'guest' } }, noop: { enabled: true } },
    authorizers: { allow: { enabled: true } },
    mutators: {
      header: { enabled: true, config: { headers: {} } },
      hydrator: { enabled: true, config: { api: { url: `${receiver.url}/hydrate` } } },
    },
  };
  compiler = new PipelineCompiler(defaultRegistry(), global, { http });
});
afterAll(async () => {
  await receiver.stop();
  await http.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.script('/hydrate', enrich);
});

function compile(hydrator: Record<string, unknown> = {}, after: HandlerRef[] = []) {
  const result = compiler.compile({
    id: 'hydrator-rule',
    authenticators: [{ handler: 'anonymous' }],
    authorizer: { handler: 'allow' },
    mutators: [
      { handler: 'header', config: { headers: { 'X-Before': 'set-before' } } },
      { handler: 'hydrator', config: hydrator },
      ...after,
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

function request(overrides: Partial<PipelineRequest> = {}): PipelineRequest {
  return {
    method: 'GET',
    url: new URL('https://app.example.com/projects/p1/a%20b?tab=1'),
    headers: { 'x-request-id': 'r-1', accept: 'text/html', host: 'app.example.com' },
    captureGroups: ['p1'],
    ...overrides,
  };
}

const showHydrated = {
  handler: 'header',
  config: { headers: { 'X-Role': '{{ .Extra.role }}', 'X-Copy': '{{ .Header.Get "X-Hydrated" }}' } },
};

describe('hydrator mutator', () => {
  it('sends the session as Oathkeeper encodes it, with the client headers', async () => {
    await runPipeline(compile(), request());
    const [call] = receiver.to('/hydrate');
    expect(call?.method).toBe('POST');
    expect(call?.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'r-1' });
    expect(call?.headers.host).toBe(new URL(receiver.url).host);
    expect(JSON.parse(call?.body ?? '')).toEqual({
      subject: 'guest',
      extra: {},
      header: { 'X-Before': ['set-before'] },
      match_context: {
        regexp_capture_groups: ['p1'],
        url: {
          Scheme: 'https',
          Opaque: '',
          User: null,
          Host: 'app.example.com',
          Path: '/projects/p1/a b',
          RawPath: '',
          OmitHost: false,
          ForceQuery: false,
          RawQuery: 'tab=1',
          Fragment: '',
          RawFragment: '',
        },
        method: 'GET',
        header: { Accept: ['text/html'], Host: ['app.example.com'], 'X-Request-Id': ['r-1'] },
      },
    });
  });

  it("sends the request's query in place of api.url's, sorted as Go's Query().Encode()", async () => {
    // The shared receiver records paths only; this API records each request target.
    const targets: string[] = [];
    const api = createServer((req, res) => {
      targets.push(req.url ?? '');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = api.address() as AddressInfo;
      const pipeline = compile({ api: { url: `http://127.0.0.1:${port}/hydrate?tenant=t1` } });
      const withQuery = request({ url: new URL('https://app.example.com/p?y=2&x=1&a+b=c%20d&bad=%zz') });
      expect(await runPipeline(pipeline, withQuery)).toMatchObject({ kind: 'allow' });
      expect(
        await runPipeline(pipeline, request({ url: new URL('https://app.example.com/p') })),
      ).toMatchObject({
        kind: 'allow',
      });
      expect(targets).toEqual(['/hydrate?a+b=c+d&x=1&y=2', '/hydrate']);
    } finally {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });

  it('replaces extra and header with the answer; a following header mutator sees them', async () => {
    const result = await runPipeline(compile({}, [showHydrated]), request());
    expect(result).toMatchObject({
      kind: 'allow',
      subject: 'guest',
      extra: { role: 'admin', groups: ['a', 'b'] },
      headers: { 'X-Before': 'set-before', 'X-Hydrated': 'yes', 'X-Role': 'admin', 'X-Copy': 'yes' },
    });
  });

  it('takes the match context from the answer when it carries one', async () => {
    receiver.script('/hydrate', (req) => {
      const session = JSON.parse(req.body) as { match_context: { url: Record<string, unknown> } };
      const url = { ...session.match_context.url, Path: '/rewritten/a b', RawQuery: 'x=2' };
      return {
        status: 200,
        body: {
          ...session,
          match_context: {
            ...session.match_context,
            url,
            regexp_capture_groups: ['p2'],
            header: { 'X-Tenant': ['t9'] },
          },
        },
      };
    });
    const after = {
      handler: 'header',
      config: {
        headers: {
          'X-Project': '{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}',
          'X-Tenant': '{{ .MatchContext.Header.Get "X-Tenant" }}',
          'X-Url': '{{ .MatchContext.URL.Path }}?{{ .MatchContext.URL.RawQuery }}',
        },
      },
    };
    const result = await runPipeline(compile({}, [after]), request());
    expect(result).toMatchObject({
      kind: 'allow',
      headers: { 'X-Project': 'p2', 'X-Tenant': 't9', 'X-Url': '/rewritten/a b?x=2' },
    });
  });

  it('drops headers the answer leaves out, as Oathkeeper replaces the whole session', async () => {
    receiver.script('/hydrate', (req) => ({
      status: 200,
      body: { subject: (JSON.parse(req.body) as { subject: string }).subject, extra: { a: 1 } },
    }));
    const result = await runPipeline(compile(), request());
    expect(result).toMatchObject({ kind: 'allow', headers: {}, extra: { a: 1 } });
  });

  it('sends api.auth.basic instead of the client Authorization', async () => {
    const result = compiler.compile({
      id: 'basic',
      authenticators: [{ handler: 'noop' }],
      authorizer: { handler: 'allow' },
      mutators: [
        {
          handler: 'hydrator',
          config: { api: { auth: { basic: { username: 'oathkeeper', password: 's3cret' } } } },
        },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    await runPipeline(
      result.pipeline,
      request({ headers: { authorization: 'Bearer client', cookie: 'a=b' } }),
    );
    const [call] = receiver.to('/hydrate');
    expect(call?.headers.authorization).toBe(`Basic ${Buffer.from('oathkeeper:s3cret').toString('base64')}`);
    expect(call?.headers.cookie).toBe('a=b');
  });

  it.each([
    ['a changed subject', { status: 200, body: { subject: 'root', extra: {} } }, 'subject changed'],
    ['a non-200 answer', { status: 404, body: {} }, 'non-200'],
    ['401 without credentials', { status: 401, body: {} }, 'No credentials'],
    [
      'a header that is not a list',
      { status: 200, body: { subject: 'guest', header: { X: 'y' } } },
      'header.X',
    ],
    ['extra that is not an object', { status: 200, body: { subject: 'guest', extra: [1] } }, 'extra'],
  ])('%s is a 500', async (_name, answer, reason) => {
    receiver.script('/hydrate', [answer as CannedResponse]);
    const result = await runPipeline(compile({}, [showHydrated]), request());
    expect(result).toMatchObject({
      kind: 'error',
      error: { kind: 'internal_server_error', status: 500, reason: expect.stringContaining(reason) },
    });
  });

  it('an API that is down is a 500', async () => {
    await receiver.stop();
    try {
      const result = await runPipeline(compile(), request());
      expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error' } });
    } finally {
      await receiver.start();
    }
  });

  it('calls once without api.retry; with it, retries 5xx a bounded number of times', async () => {
    receiver.script('/hydrate', [{ status: 503 }]);
    expect(await runPipeline(compile(), request())).toMatchObject({ kind: 'error' });
    expect(receiver.to('/hydrate')).toHaveLength(1);
    receiver.requests.length = 0;
    const retrying = compile({ api: { retry: { give_up_after: '1m', max_delay: '1ms' } } });
    expect(await runPipeline(retrying, request())).toMatchObject({ kind: 'error' });
    expect(receiver.to('/hydrate')).toHaveLength(5);
    receiver.requests.length = 0;
    receiver.script('/hydrate', (req) =>
      receiver.to('/hydrate').length < 2 ? { status: 503 } : enrich(req),
    );
    expect(await runPipeline(retrying, request())).toMatchObject({ kind: 'allow', extra: { role: 'admin' } });
    expect(receiver.to('/hydrate')).toHaveLength(2);
  });
});

describe('hydrator cache', () => {
  it('a hit answers without calling the API, and later mutators cannot change the cached answer', async () => {
    const pipeline = compile({ cache: { enabled: true, ttl: '1m' } }, [
      showHydrated,
      { handler: 'header', config: { headers: { 'X-Hydrated': 'overwritten' } } },
    ]);
    const first = await runPipeline(pipeline, request());
    const second = await runPipeline(pipeline, request());
    expect(receiver.to('/hydrate')).toHaveLength(1);
    expect(second).toEqual(first);
    expect(second).toMatchObject({
      kind: 'allow',
      headers: { 'X-Role': 'admin', 'X-Hydrated': 'overwritten' },
    });
  });

  it('is keyed by the session sent: another subject or request calls again', async () => {
    const pipeline = compile({ cache: { enabled: true } });
    await runPipeline(pipeline, request());
    await runPipeline(pipeline, request({ headers: { 'x-request-id': 'r-2' } }));
    await runPipeline(pipeline, request({ captureGroups: ['p2'] }));
    // The query goes to the API, so it is part of the key (through the match context's URL).
    await runPipeline(pipeline, request({ url: new URL('https://app.example.com/projects/p1/a%20b?tab=2') }));
    await runPipeline(pipeline, request());
    expect(receiver.to('/hydrate')).toHaveLength(4);
  });

  it('is off unless enabled', async () => {
    const pipeline = compile();
    await runPipeline(pipeline, request());
    await runPipeline(pipeline, request());
    expect(receiver.to('/hydrate')).toHaveLength(2);
  });

  it('does not keep failures', async () => {
    receiver.script('/hydrate', [
      { status: 500 },
      { status: 200, body: { subject: 'guest', extra: { ok: true } } },
    ]);
    const pipeline = compile({ cache: { enabled: true } });
    expect(await runPipeline(pipeline, request())).toMatchObject({ kind: 'error' });
    expect(await runPipeline(pipeline, request())).toMatchObject({ kind: 'allow', extra: { ok: true } });
    expect(await runPipeline(pipeline, request())).toMatchObject({ kind: 'allow', extra: { ok: true } });
    expect(receiver.to('/hydrate')).toHaveLength(2);
  });
});

describe('hydrator config at rule load', () => {
  it.each([
    ['no api.url', { api: { url: null } }, 'mutators[1].config.api'],
    ['not http', { api: { url: 'file:///etc/passwd' } }, 'mutators[1].config'],
    ['unknown cache key', { cache: { enabled: true, key: 'x' } }, 'mutators[1].config.cache'],
    ['bad ttl', { cache: { enabled: true, ttl: 'forever' } }, 'mutators[1].config.cache.ttl'],
    ['zero ttl', { cache: { enabled: true, ttl: '0s' } }, 'mutators[1].config'],
  ])('%s', (_name, config, path) => {
    const result = compiler.compile({
      id: 'bad',
      authenticators: [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'header' }, { handler: 'hydrator', config }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
