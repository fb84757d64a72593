import { describe, expect, it } from 'vitest';
import type { OutboundHttp, OutboundRequest } from '../../kernel/http-client.js';
import type { SessionChecker, SessionCheckRequest } from './handler.js';
import {
  type CompiledPipeline,
  defaultRegistry,
  handlePipelineError,
  noRuleMatched,
  PipelineCompiler,
  type PipelineGlobalConfig,
  type RulePipelineSpec,
  runPipeline,
} from './index.js';
import { deepMerge } from './merge.js';
import type { PipelineRequest } from './session.js';

const WHOAMI = 'http://127.0.0.1:4433/sessions/whoami';

const kratosSession = {
  id: 'sess-1',
  active: true,
  identity: { id: 'id-1', traits: { email: 'alice@example.com' } },
};

/** Our own port, faked: answers 200 with a Kratos session for cookie `ory_kratos_session=valid`. */
class FakeChecker implements SessionChecker {
  readonly calls: SessionCheckRequest[] = [];
  handles(url: URL): boolean {
    return url.href.startsWith('http://127.0.0.1:4433/');
  }
  async check(req: SessionCheckRequest) {
    this.calls.push(req);
    const ok =
      (req.headers.cookie ?? '').includes('ory_kratos_session=valid') ||
      req.headers.authorization === 'Bearer tok';
    return ok ? { kind: 'ok' as const, body: kratosSession } : { kind: 'rejected' as const, status: 401 };
  }
}

const noHttp: OutboundHttp = {
  async request() {
    throw new Error('no network in this test');
  },
};

const global: PipelineGlobalConfig = {
  authenticators: {
    noop: { enabled: true },
    anonymous: { enabled: true, config: { subject: 'guest' } },
    unauthorized: { enabled: true },
    cookie_session: {
      enabled: true,
      config: {
        check_session_url: WHOAMI,
        preserve_path: true,
        extra_from: '@this',
        subject_from: 'identity.id',
      },
    },
    bearer_token: {
      enabled: true,
      config: { check_session_url: WHOAMI, preserve_path: true, subject_from: 'identity.id' },
    },
  },
  authorizers: { allow: { enabled: true }, deny: { enabled: true } },
  mutators: {
    noop: { enabled: true },
    header: { enabled: true, config: { headers: { 'X-User': '{{ print .Subject }}' } } },
    cookie: { enabled: true, config: { cookies: {} } },
  },
  errors: {
    fallback: ['json'],
    handlers: {
      json: { enabled: true, config: { verbose: true } },
      redirect: {
        enabled: true,
        config: { to: 'http://127.0.0.1:4455/login', return_to_query_param: 'return_to' },
      },
      www_authenticate: { enabled: true, config: {} },
    },
  },
};

function request(
  overrides: Partial<PipelineRequest> & { headers?: PipelineRequest['headers'] } = {},
): PipelineRequest {
  return {
    method: 'GET',
    url: new URL('https://exam-taking.example.com/exams/42?x=1'),
    headers: {},
    captureGroups: ['exams/42'],
    remoteAddress: '127.0.0.1',
    ...overrides,
  };
}

function compile(
  rule: Partial<RulePipelineSpec>,
  checker = new FakeChecker(),
  http: OutboundHttp = noHttp,
): CompiledPipeline {
  const compiler = new PipelineCompiler(defaultRegistry(), global, { http, sessionChecker: checker });
  const result = compiler.compile({
    id: 'r1',
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
    ...rule,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

const examRule: Partial<RulePipelineSpec> = {
  authenticators: [{ handler: 'cookie_session', config: { subject_from: 'identity.traits.email' } }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } }],
  errors: [{ handler: 'redirect' }],
};

describe('runPipeline: cookie_session -> allow -> header', () => {
  it('sets X-USER-EMAIL from subject_from identity.traits.email, checked in process', async () => {
    const checker = new FakeChecker();
    const pipeline = compile(examRule, checker);
    const result = await runPipeline(
      pipeline,
      request({ headers: { cookie: 'ory_kratos_session=valid; other=1', 'x-user-email': 'evil@x' } }),
    );
    expect(result).toEqual({
      kind: 'allow',
      // The global header config (X-User) merges with the rule's (a JSON merge patch).
      headers: { 'X-User': 'alice@example.com', 'X-User-Email': 'alice@example.com' },
      subject: 'alice@example.com',
      extra: kratosSession,
    });
    expect(checker.calls).toHaveLength(1);
    expect(checker.calls[0]!.url.href).toBe(WHOAMI);
    expect(checker.calls[0]!.headers.cookie).toBe('ory_kratos_session=valid; other=1');
  });

  it('redirects an anonymous browser to login with return_to', async () => {
    const pipeline = compile(examRule);
    const req = request();
    const result = await runPipeline(pipeline, req);
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
    if (result.kind !== 'error') return;
    const response = handlePipelineError(pipeline, result.error, req);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(
      `http://127.0.0.1:4455/login?return_to=${encodeURIComponent('https://exam-taking.example.com/exams/42?x=1')}`,
    );
  });

  it('answers 401 when the session check rejects the cookie', async () => {
    const result = await runPipeline(
      compile(examRule),
      request({ headers: { cookie: 'ory_kratos_session=revoked' } }),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized' } });
  });

  it('is not responsible without the cookie named in `only`', async () => {
    const checker = new FakeChecker();
    const pipeline = compile(
      {
        authenticators: [
          { handler: 'cookie_session', config: { only: ['ory_kratos_session'] } },
          { handler: 'anonymous' },
        ],
      },
      checker,
    );
    const result = await runPipeline(pipeline, request({ headers: { cookie: 'theme=dark' } }));
    expect(result).toMatchObject({ kind: 'allow', subject: 'guest' });
    expect(checker.calls).toHaveLength(0);
  });
});

describe('runPipeline: [cookie_session, anonymous]', () => {
  const rule: Partial<RulePipelineSpec> = {
    authenticators: [
      { handler: 'cookie_session' },
      { handler: 'anonymous', config: { subject: 'anonymous' } },
    ],
    mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  };

  it('forwards an anonymous request with the anonymous subject', async () => {
    const result = await runPipeline(compile(rule), request());
    expect(result).toMatchObject({ kind: 'allow', subject: 'anonymous', headers: { 'X-User': 'anonymous' } });
  });

  it('uses the session when there is one', async () => {
    const result = await runPipeline(
      compile(rule),
      request({ headers: { cookie: 'ory_kratos_session=valid' } }),
    );
    expect(result).toMatchObject({ kind: 'allow', subject: 'id-1', headers: { 'X-User': 'id-1' } });
  });

  it('stops at a rejected cookie instead of falling through to anonymous', async () => {
    const result = await runPipeline(
      compile(rule),
      request({ headers: { cookie: 'ory_kratos_session=bad' } }),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized' } });
  });
});

describe('authenticators', () => {
  it('anonymous is not responsible when an Authorization header is present; none responsible is 401', async () => {
    const pipeline = compile({ authenticators: [{ handler: 'anonymous' }] });
    expect(await runPipeline(pipeline, request())).toMatchObject({ kind: 'allow', subject: 'guest' });
    expect(await runPipeline(pipeline, request({ headers: { authorization: 'Basic x' } }))).toMatchObject({
      kind: 'error',
      error: { kind: 'unauthorized' },
    });
  });

  it('noop allows with an empty subject; unauthorized refuses', async () => {
    expect(await runPipeline(compile({ authenticators: [{ handler: 'noop' }] }), request())).toMatchObject({
      kind: 'allow',
      subject: '',
    });
    expect(
      await runPipeline(
        compile({ authenticators: [{ handler: 'unauthorized' }, { handler: 'noop' }] }),
        request(),
      ),
    ).toMatchObject({
      kind: 'error',
      error: { kind: 'unauthorized', status: 401 },
    });
  });

  it('bearer_token reads the Authorization bearer token, prefix and token_from', async () => {
    const checker = new FakeChecker();
    const pipeline = compile(
      { authenticators: [{ handler: 'bearer_token' }, { handler: 'anonymous' }] },
      checker,
    );
    expect(await runPipeline(pipeline, request({ headers: { authorization: 'Bearer tok' } }))).toMatchObject({
      kind: 'allow',
      subject: 'id-1',
      extra: {},
    });
    expect(checker.calls[0]!.headers.authorization).toBe('Bearer tok');
    // Basic is not a bearer token: bearer_token is not responsible, anonymous is not either (Authorization set).
    expect(await runPipeline(pipeline, request({ headers: { authorization: 'Basic x' } }))).toMatchObject({
      kind: 'error',
    });
    const prefixed = compile(
      { authenticators: [{ handler: 'bearer_token', config: { prefix: 'ory_st_' } }, { handler: 'noop' }] },
      checker,
    );
    expect(await runPipeline(prefixed, request({ headers: { authorization: 'Bearer tok' } }))).toMatchObject({
      kind: 'allow',
      subject: '',
    });
    const fromQuery = compile(
      {
        authenticators: [
          { handler: 'bearer_token', config: { token_from: { query_parameter: 'token' } } },
          { handler: 'noop' },
        ],
      },
      checker,
    );
    const before = checker.calls.length;
    await runPipeline(fromQuery, request({ url: new URL('https://a.example/x?token=abc') }));
    expect(checker.calls.length).toBe(before + 1);
  });

  it('calls check_session_url over OutboundHttp when no in-process checker serves it', async () => {
    const seen: OutboundRequest[] = [];
    const http: OutboundHttp = {
      async request(req) {
        seen.push(req);
        return {
          status: 200,
          headers: {},
          firstHeaders: {},
          body: Buffer.from(JSON.stringify({ subject: 'remote-user', extra: { a: 1 } })),
        };
      },
    };
    const compiler = new PipelineCompiler(defaultRegistry(), global, { http });
    const compiled = compiler.compile({
      id: 'remote',
      authenticators: [
        {
          handler: 'cookie_session',
          config: {
            check_session_url: 'https://sessions.example/check?keep=1',
            preserve_path: false,
            preserve_query: false,
            subject_from: 'subject',
            extra_from: 'extra',
            force_method: 'POST',
            forward_http_headers: ['X-Tenant'],
          },
        },
      ],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'noop' }],
    });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    const result = await runPipeline(
      compiled.pipeline,
      request({ headers: { cookie: 'a=b', 'x-tenant': 't1' } }),
    );
    expect(result).toMatchObject({ kind: 'allow', subject: 'remote-user', extra: { a: 1 } });
    expect(seen[0]).toMatchObject({
      url: 'https://sessions.example/exams/42?x=1',
      method: 'POST',
      headers: { cookie: 'a=b', 'x-tenant': 't1' },
    });
  });

  it('maps an unreachable session store to 403 and a non-string subject to 403, as Oathkeeper does', async () => {
    const down = compile({
      authenticators: [{ handler: 'cookie_session', config: { check_session_url: 'https://down.example/' } }],
    });
    expect(await runPipeline(down, request({ headers: { cookie: 'a=b' } }))).toMatchObject({
      kind: 'error',
      error: { kind: 'forbidden' },
    });
    const badSubject = compile({
      authenticators: [{ handler: 'cookie_session', config: { subject_from: 'identity' } }],
    });
    expect(
      await runPipeline(badSubject, request({ headers: { cookie: 'ory_kratos_session=valid' } })),
    ).toMatchObject({
      kind: 'error',
      error: { kind: 'forbidden' },
    });
  });
});

describe('authorizers and mutators', () => {
  it('deny answers 403', async () => {
    const result = await runPipeline(
      compile({ authenticators: [{ handler: 'noop' }], authorizer: { handler: 'deny' } }),
      request(),
    );
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'forbidden', status: 403 } });
  });

  it('header mutators apply in order and see earlier headers and the match context', async () => {
    const pipeline = compile({
      authenticators: [{ handler: 'anonymous' }],
      mutators: [
        {
          handler: 'header',
          config: { headers: { 'x-a': '{{ printIndex .MatchContext.RegexpCaptureGroups 0 }}' } },
        },
        {
          handler: 'header',
          config: { headers: { 'X-B': '{{ .Header.Get "X-A" }}/{{ .MatchContext.Header.Get "X-Req" }}' } },
        },
      ],
    });
    const result = await runPipeline(pipeline, request({ headers: { 'x-req': 'r' } }));
    expect(result).toMatchObject({
      kind: 'allow',
      headers: { 'X-User': 'guest', 'X-A': 'exams/42', 'X-B': 'exams/42/r' },
    });
  });

  it('a template that fails at execution is a 500', async () => {
    const pipeline = compile({
      authenticators: [{ handler: 'anonymous' }],
      mutators: [
        {
          handler: 'header',
          config: { headers: { 'X-A': '{{ index .MatchContext.RegexpCaptureGroups 7 }}' } },
        },
      ],
    });
    expect(await runPipeline(pipeline, request())).toMatchObject({
      kind: 'error',
      error: { kind: 'internal_server_error', status: 500 },
    });
  });

  it('cookie mutator replaces a same-named client cookie and keeps the others', async () => {
    const pipeline = compile({
      authenticators: [{ handler: 'anonymous' }],
      mutators: [{ handler: 'cookie', config: { cookies: { user: '{{ .Subject }}' } } }],
    });
    const result = await runPipeline(pipeline, request({ headers: { cookie: 'user=evil; theme=dark' } }));
    expect(result).toMatchObject({ kind: 'allow', headers: { Cookie: 'user=guest; theme=dark' } });
  });
});

describe('config merge and validation at rule load', () => {
  const compiler = new PipelineCompiler(defaultRegistry(), global, { http: noHttp });
  const base = { id: 'bad', authorizer: { handler: 'allow' }, mutators: [{ handler: 'noop' }] };

  it.each([
    ['unknown handler', { ...base, authenticators: [{ handler: 'nope' }] }, 'authenticators[0].handler'],
    ['disabled handler', { ...base, authenticators: [{ handler: 'jwt' }] }, 'authenticators[0].handler'],
    ['no authenticator', { ...base, authenticators: [] }, 'authenticators'],
    ['no mutator', { ...base, authenticators: [{ handler: 'noop' }], mutators: [] }, 'mutators'],
    [
      'no authorizer',
      { id: 'x', authenticators: [{ handler: 'noop' }], mutators: [{ handler: 'noop' }] },
      'authorizer',
    ],
    [
      'unknown key',
      { ...base, authenticators: [{ handler: 'anonymous', config: { subjekt: 'x' } }] },
      'authenticators[0].config',
    ],
    [
      'wrong type',
      { ...base, authenticators: [{ handler: 'anonymous', config: { subject: 1 } }] },
      'authenticators[0].config.subject',
    ],
    [
      'bad template',
      {
        ...base,
        authenticators: [{ handler: 'noop' }],
        mutators: [{ handler: 'header', config: { headers: { X: '{{ if }}' } } }],
      },
      'mutators[0].config',
    ],
    [
      'bad redirect code',
      {
        ...base,
        authenticators: [{ handler: 'noop' }],
        errors: [{ handler: 'redirect', config: { code: 307 } }],
      },
      'errors[0].config.code',
    ],
    [
      'bad url',
      {
        ...base,
        authenticators: [{ handler: 'cookie_session', config: { check_session_url: 'not a url' } }],
      },
      'authenticators[0].config.check_session_url',
    ],
    [
      'scheme not http',
      {
        ...base,
        authenticators: [{ handler: 'cookie_session', config: { check_session_url: 'file:///etc/passwd' } }],
      },
      'authenticators[0].config',
    ],
  ])('%s', (_name, rule, path) => {
    const result = compiler.compile(rule as RulePipelineSpec);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('deep-merges the rule config over the global one, arrays replaced', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
      e: 2,
    });
    expect(deepMerge({ a: 1, b: 2 }, { b: null })).toEqual({ a: 1 });
    expect(deepMerge({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'))).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not let one rule change the global config', async () => {
    compile({ authenticators: [{ handler: 'anonymous', config: { subject: 'other' } }] });
    expect(
      await runPipeline(compile({ authenticators: [{ handler: 'anonymous' }] }), request()),
    ).toMatchObject({ subject: 'guest' });
  });
});

describe('error handlers', () => {
  it('json answers Oathkeeper’s body, verbose or not', () => {
    const pipeline = compile({
      authenticators: [{ handler: 'noop' }],
      errors: [{ handler: 'json', config: { verbose: false } }],
    });
    const response = handlePipelineError(
      pipeline,
      { kind: 'unauthorized', status: 401, message: 'Access credentials are invalid' },
      request(),
    );
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 401, status: 'Unauthorized', message: 'The request could not be authorized' },
    });
    const verbose = handlePipelineError(
      new PipelineCompiler(defaultRegistry(), global, { http: noHttp }).withoutRule(),
      noRuleMatched(),
      request(),
    );
    expect(JSON.parse(verbose.body)).toEqual({
      error: { code: 404, status: 'Not Found', message: 'Requested url does not match any rules' },
    });
  });

  it('picks the first handler whose `when` matches, else the fallback', async () => {
    const pipeline = compile({
      authenticators: [{ handler: 'noop' }],
      errors: [
        {
          handler: 'redirect',
          config: { when: [{ error: ['unauthorized'], request: { header: { accept: ['text/html'] } } }] },
        },
        { handler: 'www_authenticate', config: { when: [{ error: ['forbidden'] }] } },
      ],
    });
    const unauthorized = { kind: 'unauthorized' as const, status: 401 as const, message: 'm' };
    const browser = request({ headers: { accept: 'text/html,application/xhtml+xml;q=0.9' } });
    expect(handlePipelineError(pipeline, unauthorized, browser).status).toBe(302);
    const api = request({ headers: { accept: 'application/json' } });
    expect(handlePipelineError(pipeline, unauthorized, api)).toMatchObject({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(
      handlePipelineError(pipeline, { kind: 'forbidden', status: 403, message: 'm' }, api),
    ).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Basic realm=Please authenticate.' },
    });
  });

  it('matches content_type conditions and ignores `cidr`, as Oathkeeper', () => {
    const pipeline = compile({
      authenticators: [{ handler: 'noop' }],
      errors: [
        {
          handler: 'redirect',
          config: {
            when: [
              {
                request: {
                  header: { content_type: ['application/x-www-form-urlencoded'] },
                  // Oathkeeper's schema allows `cidr` but its matcher never reads it.
                  cidr: ['10.0.0.0/8'],
                },
              },
            ],
          },
        },
      ],
    });
    const error = { kind: 'unauthorized' as const, status: 401 as const, message: 'm' };
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(
      handlePipelineError(pipeline, error, request({ headers: form, remoteAddress: '10.1.2.3' })).status,
    ).toBe(302);
    expect(
      handlePipelineError(pipeline, error, request({ headers: form, remoteAddress: '192.168.0.1' })).status,
    ).toBe(302);
    expect(
      handlePipelineError(pipeline, error, request({ headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(401);
  });
});
