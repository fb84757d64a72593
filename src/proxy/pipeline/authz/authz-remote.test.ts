import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import type { HandlerRef } from '../compile.js';
import {
  defaultRegistry,
  handlePipelineError,
  PipelineCompiler,
  type PipelineGlobalConfig,
  runPipeline,
} from '../index.js';
import { bufferedRequestBody, type PipelineRequest, streamedRequestBody } from '../session.js';
import { REMOTE_BODY_LIMIT_BYTES } from './authz-remote.js';

const global: PipelineGlobalConfig = {
  authenticators: { anonymous: { enabled: true, config: { subject: 'guest' } }, noop: { enabled: true } },
  authorizers: { remote: { enabled: true } },
  mutators: { noop: { enabled: true }, header: { enabled: true } },
  errors: { fallback: ['json'] },
};

let receiver: HttpReceiver;
let http: OutboundHttpClient;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
});
afterAll(async () => {
  await receiver.stop();
  await http.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.script('/authz', [{ status: 200 }]);
});

function compileWith(
  authorizer: HandlerRef,
  mutators: HandlerRef[] = [{ handler: 'noop' }],
  authenticators: HandlerRef[] = [{ handler: 'anonymous' }],
) {
  const result = new PipelineCompiler(
    defaultRegistry(),
    { ...global, authorizers: { remote: { enabled: true }, allow: { enabled: true } } },
    { http },
  ).compile({ id: 'remote-rule', authenticators, authorizer, mutators });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

const compile = (config: Record<string, unknown>, mutators?: HandlerRef[]) =>
  compileWith({ handler: 'remote', config }, mutators);

function request(overrides: Partial<PipelineRequest> = {}): PipelineRequest {
  return {
    method: 'POST',
    url: new URL('https://api.example.com/orders/7'),
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    captureGroups: ['7'],
    ...overrides,
  };
}

describe('remote authorizer', () => {
  it('POSTs the request body with its Content-Type and the headers templates; 200 allows', async () => {
    const pipeline = compile({
      remote: `${receiver.url}/authz`,
      headers: {
        'X-Subject': '{{ .Subject }}',
        'X-Order': '{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}',
      },
    });
    const body = bufferedRequestBody(Buffer.from('order=7&qty=2'));
    const result = await runPipeline(
      pipeline,
      request({ body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'a=b' } }),
    );
    expect(result).toMatchObject({ kind: 'allow', subject: 'guest' });
    const [call] = receiver.to('/authz');
    expect(call).toMatchObject({ method: 'POST', body: 'order=7&qty=2' });
    expect(call?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      'x-subject': 'guest',
      'x-order': '7',
    });
    // Only Content-Type and Authorization are copied from the client, as Oathkeeper does.
    expect(call?.headers.cookie).toBeUndefined();
    expect(body.forwardable()).toEqual({ kind: 'bytes', bytes: Buffer.from('order=7&qty=2') });
  });

  it('forwards the client Authorization unless a headers template sets it', async () => {
    const authorization = { authorization: 'Bearer abc' };
    const noop = [{ handler: 'noop' }];
    const plain = compileWith({ handler: 'remote', config: { remote: `${receiver.url}/authz` } }, noop, noop);
    expect((await runPipeline(plain, request({ headers: authorization }))).kind).toBe('allow');
    const overridden = compileWith(
      {
        handler: 'remote',
        config: { remote: `${receiver.url}/authz`, headers: { Authorization: 'Basic b3Vy' } },
      },
      noop,
      noop,
    );
    expect((await runPipeline(overridden, request({ headers: authorization }))).kind).toBe('allow');
    expect(receiver.to('/authz').map((r) => r.headers.authorization)).toEqual(['Bearer abc', 'Basic b3Vy']);
  });

  it('does not send a headers template that renders empty, so the client Authorization stays', async () => {
    const noop = [{ handler: 'noop' }];
    const pipeline = compileWith(
      {
        handler: 'remote',
        config: {
          remote: `${receiver.url}/authz`,
          headers: { Authorization: '{{ if eq .Subject "x" }}y{{ end }}', 'X-Empty': '' },
        },
      },
      noop,
      noop,
    );
    const result = await runPipeline(
      pipeline,
      request({ headers: { authorization: 'Bearer client-token' } }),
    );
    expect(result.kind).toBe('allow');
    const [call] = receiver.to('/authz');
    expect(call?.headers.authorization).toBe('Bearer client-token');
    expect(call?.headers).not.toHaveProperty('x-empty');
  });

  it('sends an empty body when the listener offers none', async () => {
    const result = await runPipeline(
      compile({ remote: `${receiver.url}/authz` }),
      request({ method: 'GET' }),
    );
    expect(result.kind).toBe('allow');
    expect(receiver.to('/authz')[0]?.body).toBe('');
  });

  it('403 is forbidden, which the error handlers render as 403', async () => {
    receiver.script('/authz', [{ status: 403 }]);
    const pipeline = compile({ remote: `${receiver.url}/authz` });
    const req = request();
    const result = await runPipeline(pipeline, req);
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'forbidden', status: 403 } });
    if (result.kind !== 'error') return;
    expect(handlePipelineError(pipeline, result.error, req).status).toBe(403);
  });

  it.each([401, 404, 302])('any other status (%i) is a 500', async (status) => {
    receiver.script('/authz', [{ status }]);
    const result = await runPipeline(compile({ remote: `${receiver.url}/authz` }), request());
    expect(result).toMatchObject({
      kind: 'error',
      error: { kind: 'internal_server_error', status: 500, reason: expect.stringContaining(`${status}`) },
    });
    expect(receiver.to('/authz')).toHaveLength(1);
  });

  it('a remote that is down is a 500', async () => {
    await receiver.stop();
    try {
      const result = await runPipeline(
        compile({ remote: `${receiver.url}/authz`, retry: { give_up_after: '200ms', max_delay: '10ms' } }),
        request(),
      );
      expect(result).toMatchObject({
        kind: 'error',
        error: {
          kind: 'internal_server_error',
          status: 500,
          reason: expect.stringContaining('ECONNREFUSED'),
        },
      });
    } finally {
      await receiver.start();
    }
  });

  it('retries 5xx with back-off, a bounded number of times', async () => {
    receiver.script('/authz', [{ status: 503 }]);
    const result = await runPipeline(
      compile({ remote: `${receiver.url}/authz`, retry: { give_up_after: '1m', max_delay: '1ms' } }),
      request(),
    );
    expect(result).toMatchObject({
      kind: 'error',
      error: { kind: 'internal_server_error', reason: expect.stringContaining('503 (after 5 attempts)') },
    });
    expect(receiver.to('/authz')).toHaveLength(5);
  });

  it('a retry that succeeds allows, and the body is sent again', async () => {
    receiver.script('/authz', [{ status: 502 }, { status: 200 }]);
    const result = await runPipeline(
      compile({ remote: `${receiver.url}/authz`, retry: { give_up_after: '1m', max_delay: '1ms' } }),
      request({ body: bufferedRequestBody(Buffer.from('again')) }),
    );
    expect(result.kind).toBe('allow');
    expect(receiver.to('/authz').map((r) => r.body)).toEqual(['again', 'again']);
  });

  it('a 403 is not retried', async () => {
    receiver.script('/authz', [{ status: 403 }]);
    await runPipeline(
      compile({ remote: `${receiver.url}/authz`, retry: { give_up_after: '1m', max_delay: '1ms' } }),
      request(),
    );
    expect(receiver.to('/authz')).toHaveLength(1);
  });
});

describe('remote authorizer: forward_response_headers_to_upstream', () => {
  beforeEach(() => {
    receiver.script('/authz', [
      { status: 200, headers: { 'x-user-id': 'u-42', 'x-tenant': 't1', 'x-not-listed': 'no' } },
    ]);
  });

  it('copies the listed headers into the upstream headers, where later mutators see them', async () => {
    const pipeline = compile(
      {
        remote: `${receiver.url}/authz`,
        forward_response_headers_to_upstream: ['X-User-Id', 'x-tenant', 'X-Absent'],
      },
      [{ handler: 'header', config: { headers: { 'X-Who': '{{ .Header.Get "X-User-Id" }}' } } }],
    );
    const result = await runPipeline(pipeline, request({ headers: { 'x-absent': 'forged-by-client' } }));
    expect(result).toMatchObject({ kind: 'allow' });
    if (result.kind !== 'allow') return;
    // A listed header the remote did not send is set empty, so the client's value never reaches the upstream.
    expect(result.headers).toEqual({
      'X-User-Id': 'u-42',
      'X-Tenant': 't1',
      'X-Absent': '',
      'X-Who': 'u-42',
    });
  });
});

describe('remote authorizer: request bodies', () => {
  it('refuses a body over the limit by its Content-Length without reading or calling the remote', async () => {
    const stream = Readable.from([Buffer.from('x')]);
    const body = streamedRequestBody(stream, REMOTE_BODY_LIMIT_BYTES + 1);
    const result = await runPipeline(compile({ remote: `${receiver.url}/authz` }), request({ body }));
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error' } });
    expect(receiver.to('/authz')).toHaveLength(0);
    expect(body.forwardable()).toEqual({ kind: 'stream', stream });
  });

  it('stops reading a chunked body past the limit', async () => {
    const chunk = Buffer.alloc(256 * 1024, 97);
    const body = streamedRequestBody(Readable.from([chunk, chunk, chunk, chunk, chunk]));
    const result = await runPipeline(compile({ remote: `${receiver.url}/authz` }), request({ body }));
    expect(result).toMatchObject({
      kind: 'error',
      error: { reason: expect.stringContaining('larger than') },
    });
    expect(receiver.to('/authz')).toHaveLength(0);
    expect(body.forwardable()).toEqual({ kind: 'spent' });
  });

  it('leaves the stream untouched when no handler reads it', async () => {
    const stream = Readable.from([Buffer.from('x')]);
    const body = streamedRequestBody(stream);
    const result = await runPipeline(compileWith({ handler: 'allow' }), request({ body }));
    expect(result.kind).toBe('allow');
    expect(body.forwardable()).toEqual({ kind: 'stream', stream });
  });

  it('a real client request: the remote gets the body, and the upstream still gets it afterwards', async () => {
    const pipeline = compile({ remote: `${receiver.url}/authz` });
    // A stand-in for the reverse proxy: pipeline on the incoming request, then forward upstream.
    const front = createServer(async (req, res) => {
      const length = req.headers['content-length'];
      const body = streamedRequestBody(req, length === undefined ? undefined : Number(length));
      const result = await runPipeline(
        pipeline,
        request({ headers: req.headers as IncomingHttpHeaders, body }),
      );
      if (result.kind !== 'allow') {
        res.writeHead(result.error.status).end();
        return;
      }
      const forwardable = body.forwardable();
      const upstream = await http.request({
        url: `${receiver.url}/upstream`,
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: forwardable.kind === 'bytes' ? forwardable.bytes : '',
      });
      res.writeHead(upstream.status).end();
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const port = (front.address() as AddressInfo).port;
      const payload = JSON.stringify({ order: 7, note: 'é'.repeat(1000) });
      const response = await http.request({
        url: `http://127.0.0.1:${port}/orders/7`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      expect(response.status).toBe(200);
      expect(receiver.to('/authz')[0]).toMatchObject({
        body: payload,
        headers: { 'content-type': 'application/json' },
      });
      expect(receiver.to('/upstream')[0]?.body).toBe(payload);
    } finally {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });
});

describe('remote authorizer: config at rule load', () => {
  const compiler = new PipelineCompiler(defaultRegistry(), global, { http });
  const rule = (config: unknown) => ({
    id: 'bad',
    authenticators: [{ handler: 'anonymous' }],
    authorizer: { handler: 'remote', config },
    mutators: [{ handler: 'noop' }],
  });

  it.each([
    ['no remote', {}, 'authorizer.config'],
    ['bad template', { remote: 'http://127.0.0.1/', headers: { X: '{{ if }}' } }, 'authorizer.config'],
    ['not http', { remote: 'ftp://127.0.0.1/' }, 'authorizer.config'],
    ['bad header name', { remote: 'http://127.0.0.1/', headers: { 'X Bad': 'v' } }, 'authorizer.config'],
    [
      'bad duration',
      { remote: 'http://127.0.0.1/', retry: { max_delay: 'soon' } },
      'authorizer.config.retry.max_delay',
    ],
    [
      'zero give_up_after',
      { remote: 'http://127.0.0.1/', retry: { give_up_after: '0s' } },
      'authorizer.config',
    ],
  ])('%s', (_name, config, path) => {
    const result = compiler.compile(rule(config));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
