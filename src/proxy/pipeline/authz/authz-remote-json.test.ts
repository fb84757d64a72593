import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import {
  defaultRegistry,
  handlePipelineError,
  PipelineCompiler,
  type PipelineGlobalConfig,
  runPipeline,
} from '../index.js';
import type { PipelineRequest } from '../session.js';

let receiver: HttpReceiver;
let http: OutboundHttpClient;
let compiler: PipelineCompiler;

const kratosSession = {
  id: 'sess-1',
  identity: { id: 'user-1', traits: { email: 'ada@example.com' }, metadata_public: { plan: 'pro' } },
};

beforeAll(async () => {
  receiver = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
  const global: PipelineGlobalConfig = {
    authenticators: {
      // The session comes from a real HTTP session store (the receiver plays Kratos's whoami).
      cookie_session: {
        enabled: true,
        config: {
          check_session_url: `${receiver.url}/whoami`,
          subject_from: 'identity.id',
          extra_from: '@this',
          preserve_path: true,
        },
      },
    },
    authorizers: {
      remote_json: {
        enabled: true,
        config: {
          remote: `${receiver.url}/check`,
          payload:
            '{"subject":"{{ print .Subject }}","resource":"{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}"}',
        },
      },
    },
    mutators: { noop: { enabled: true } },
  };
  compiler = new PipelineCompiler(defaultRegistry(), global, { http });
});
afterAll(async () => {
  await receiver.stop();
  await http.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.script('/whoami', [{ status: 200, body: kratosSession }]);
  receiver.script('/check', [{ status: 200 }]);
});

function compile(config: Record<string, unknown> = {}) {
  const result = compiler.compile({
    id: 'remote-json-rule',
    authenticators: [{ handler: 'cookie_session' }],
    authorizer: { handler: 'remote_json', config },
    mutators: [{ handler: 'noop' }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

function request(overrides: Partial<PipelineRequest> = {}): PipelineRequest {
  return {
    method: 'DELETE',
    url: new URL('https://api.example.com/documents/doc-9?force=1'),
    headers: { cookie: 'ory_kratos_session=s', authorization: 'Bearer t', 'content-type': 'text/plain' },
    captureGroups: ['doc-9'],
    ...overrides,
  };
}

describe('remote_json authorizer', () => {
  it('POSTs the payload rendered with subject, extra, captures and the request as JSON; 200 allows', async () => {
    const pipeline = compile({
      payload: `{
        "subject": "{{ print .Subject }}",
        "email": "{{ print .Extra.identity.traits.email }}",
        "plan": {{ toJson .Extra.identity.metadata_public.plan }},
        "resource": "{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}",
        "action": "{{ .MatchContext.Method }}",
        "force": "{{ .MatchContext.URL.Query.Get "force" }}"
      }`,
      headers: { 'X-Rule': 'documents' },
    });
    const result = await runPipeline(pipeline, request());
    expect(result).toMatchObject({ kind: 'allow', subject: 'user-1' });
    const [call] = receiver.to('/check');
    expect(call?.method).toBe('POST');
    expect(JSON.parse(call?.body ?? '')).toEqual({
      subject: 'user-1',
      email: 'ada@example.com',
      plan: 'pro',
      resource: 'doc-9',
      action: 'DELETE',
      force: '1',
    });
    expect(call?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer t',
      'x-rule': 'documents',
    });
  });

  it('does not send a headers template that renders empty, so the client Authorization stays', async () => {
    const pipeline = compile({
      headers: { Authorization: '{{ if eq .Subject "x" }}y{{ end }}', 'X-Empty': '' },
    });
    const result = await runPipeline(
      pipeline,
      request({ headers: { ...request().headers, authorization: 'Bearer client-token' } }),
    );
    expect(result).toMatchObject({ kind: 'allow', subject: 'user-1' });
    const [call] = receiver.to('/check');
    expect(call?.headers.authorization).toBe('Bearer client-token');
    expect(call?.headers).not.toHaveProperty('x-empty');
  });

  it('403 is forbidden, rendered as 403 by the error handlers', async () => {
    receiver.script('/check', [{ status: 403, body: { allowed: false } }]);
    const pipeline = compile();
    const req = request();
    const result = await runPipeline(pipeline, req);
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'forbidden', status: 403 } });
    if (result.kind === 'error') expect(handlePipelineError(pipeline, result.error, req).status).toBe(403);
  });

  it('any other answer is a 500, after the bounded retries for 5xx', async () => {
    receiver.script('/check', [{ status: 500 }]);
    const result = await runPipeline(
      compile({ retry: { give_up_after: '1m', max_delay: '1ms' } }),
      request(),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error', status: 500 } });
    expect(receiver.to('/check')).toHaveLength(5);
  });

  it('a payload that does not render JSON is a 500 and nothing is sent', async () => {
    const result = await runPipeline(compile({ payload: 'subject={{ .Subject }}' }), request());
    expect(result).toMatchObject({
      kind: 'error',
      error: { kind: 'internal_server_error', reason: expect.stringContaining('not a JSON text') },
    });
    expect(receiver.to('/check')).toHaveLength(0);
  });

  it('a payload template that fails at execution is a 500', async () => {
    const result = await runPipeline(
      compile({ payload: '{"x":"{{ index .MatchContext.RegexpCaptureGroups 5 }}"}' }),
      request(),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'internal_server_error' } });
  });

  it.each([
    ['a payload that does not parse', { payload: '{{ if }}' }, 'authorizer.config'],
    ['no payload', { payload: null }, 'authorizer.config'],
  ])('rejects the rule at load: %s', (_name, config, path) => {
    const result = compiler.compile({
      id: 'bad',
      authenticators: [{ handler: 'cookie_session' }],
      authorizer: { handler: 'remote_json', config },
      mutators: [{ handler: 'noop' }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
