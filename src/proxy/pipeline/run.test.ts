import { describe, expect, it } from 'vitest';
import { PipelineCompiler, type PipelineGlobalConfig, type RulePipelineSpec } from './compile.js';
import { noRuleMatched, unauthorized } from './errors.js';
import type {
  Authenticator,
  AuthnResult,
  Authorizer,
  MaybePromise,
  MutateResult,
  Mutator,
  StepResult,
} from './handler.js';
import { noConfig } from './handler.js';
import { defaultRegistry } from './registry.js';
import { type CompiledPipeline, handlePipelineError, runPipeline } from './run.js';
import type { PipelineRequest } from './session.js';

const request: PipelineRequest = {
  method: 'GET',
  url: new URL('http://app.test/x'),
  headers: {},
  captureGroups: [],
};

const base = { configSchema: {}, prepare: noConfig };
const authn = (handle: () => MaybePromise<AuthnResult>): Authenticator => ({ ...base, id: 'a', handle });
const authz = (handle: () => MaybePromise<StepResult>): Authorizer => ({ ...base, id: 'z', handle });
const mutator = (handle: () => MaybePromise<MutateResult>): Mutator => ({ ...base, id: 'm', handle });

function pipeline(parts: {
  authenticators: Authenticator[];
  authorizer?: Authorizer;
  mutators?: Mutator[];
}): CompiledPipeline {
  return {
    rule: { id: 'r' },
    authenticators: parts.authenticators.map((handler) => ({ handler, config: {} })),
    authorizer: { handler: parts.authorizer ?? authz(() => ({ kind: 'ok' })), config: {} },
    mutators: (parts.mutators ?? []).map((handler) => ({ handler, config: {} })),
    errors: [],
    fallback: [],
  };
}

const subject = (name: string): AuthnResult => ({ kind: 'authenticated', subject: name, extra: {} });
const header = (name: string, value: string): MutateResult => ({ kind: 'ok', headers: { [name]: value } });

describe('runPipeline with synchronous and asynchronous handlers', () => {
  it('answers synchronously when no handler returns a promise', () => {
    const result = runPipeline(
      pipeline({
        authenticators: [authn(() => ({ kind: 'not_responsible' })), authn(() => subject('alice'))],
        mutators: [mutator(() => header('X-A', '1')), mutator(() => header('X-B', '2'))],
      }),
      request,
    );
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ kind: 'allow', subject: 'alice', headers: { 'X-A': '1', 'X-B': '2' } });
  });

  it('gives the same answer when handlers mix values and promises', async () => {
    const result = runPipeline(
      pipeline({
        authenticators: [
          authn(async () => ({ kind: 'not_responsible' })),
          authn(() => ({ kind: 'not_responsible' })),
          authn(async () => subject('bob')),
        ],
        authorizer: authz(async () => ({ kind: 'ok' })),
        mutators: [
          mutator(async () => header('X-A', '1')),
          mutator(() => header('X-B', '2')),
          mutator(async () => header('X-A', '3')),
        ],
      }),
      request,
    );
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toMatchObject({
      kind: 'allow',
      subject: 'bob',
      headers: { 'X-A': '3', 'X-B': '2' },
    });
  });

  it('is 401 when no authenticator is responsible, sync or async', async () => {
    const none = pipeline({
      authenticators: [
        authn(() => ({ kind: 'not_responsible' })),
        authn(async () => ({ kind: 'not_responsible' })),
      ],
    });
    expect(await runPipeline(none, request)).toMatchObject({ kind: 'error', error: { status: 401 } });
  });

  it('stops at the first error, sync or async', async () => {
    const denied = pipeline({
      authenticators: [authn(() => subject('a'))],
      authorizer: authz(
        async () =>
          ({ kind: 'error', error: { kind: 'forbidden', status: 403, message: 'no' } }) as StepResult,
      ),
      mutators: [
        mutator(() => {
          throw new Error('never run');
        }),
      ],
    });
    expect(await runPipeline(denied, request)).toMatchObject({ kind: 'error', error: { status: 403 } });
  });

  it('turns thrown errors and rejections into 500s, never throws', async () => {
    const throwing = pipeline({
      authenticators: [
        authn(() => {
          throw new Error('boom');
        }),
      ],
    });
    const thrown = runPipeline(throwing, request);
    expect(thrown).toMatchObject({ kind: 'error', error: { status: 500, reason: 'boom' } });
    const rejecting = pipeline({
      authenticators: [authn(() => subject('a'))],
      mutators: [
        mutator(() => header('X-A', '1')),
        mutator(async () => {
          throw new Error('late');
        }),
      ],
    });
    expect(await runPipeline(rejecting, request)).toMatchObject({
      kind: 'error',
      error: { status: 500, reason: 'late' },
    });
  });
});

const LOGIN = 'https://login.example/';
const CHROME = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const acceptHtml = [{ request: { header: { accept: ['text/html'] } } }];
const acceptJson = [{ request: { header: { accept: ['application/json'] } } }];

/** Oathkeeper's global error config with `fallback`, json and a redirect to LOGIN (optionally with `when`). */
function errorsConfig(fallback: string[], redirectWhen?: unknown): PipelineGlobalConfig {
  const redirect = redirectWhen === undefined ? { to: LOGIN } : { to: LOGIN, when: redirectWhen };
  return {
    authenticators: { unauthorized: { enabled: true } },
    authorizers: { allow: { enabled: true } },
    mutators: { noop: { enabled: true } },
    errors: {
      fallback,
      handlers: { json: { enabled: true }, redirect: { enabled: true, config: redirect } },
    },
  };
}

function compiler(global: PipelineGlobalConfig): PipelineCompiler {
  return new PipelineCompiler(defaultRegistry(), global, {
    http: {
      request: async () => {
        throw new Error('no network in this test');
      },
    },
  });
}

function compiled(global: PipelineGlobalConfig, errors: RulePipelineSpec['errors'] = []): CompiledPipeline {
  const result = compiler(global).compile({
    id: 'r',
    authenticators: [{ handler: 'unauthorized' }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
    errors,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.pipeline;
}

const from = (headers: Record<string, string>): PipelineRequest => ({ ...request, headers });
const api = from({ accept: 'application/json' });
const chrome = from({ accept: CHROME });
const body = (response: { body: string }): unknown => JSON.parse(response.body);
const herodot500 = (reason: string) => ({
  error: {
    code: 500,
    status: 'Internal Server Error',
    message: 'An internal server error occurred, please contact the system administrator',
    reason,
  },
});

describe('handlePipelineError: a rule’s error handlers', () => {
  const pipeline = compiled(errorsConfig(['json']), [
    { handler: 'json', config: { when: acceptJson } },
    { handler: 'redirect', config: { when: acceptHtml } },
  ]);

  it('redirects Chrome to the login page: its */*;q=0.8 does not make it a JSON client', () => {
    const response = handlePipelineError(pipeline, unauthorized(), chrome);
    expect(response).toMatchObject({ status: 302, headers: { location: LOGIN } });
  });

  it('answers a JSON client with the JSON 401', () => {
    const response = handlePipelineError(pipeline, unauthorized(), api);
    expect(response.status).toBe(401);
    expect(body(response)).toEqual({
      error: { code: 401, status: 'Unauthorized', message: 'The request could not be authorized' },
    });
  });

  it('leaves curl’s */* to the fallback: neither condition matches a wildcard', () => {
    const response = handlePipelineError(pipeline, unauthorized(), from({ accept: '*/*' }));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('is a 500 when two of them are responsible, as Oathkeeper', () => {
    const response = handlePipelineError(
      pipeline,
      unauthorized(),
      from({ accept: 'application/json,text/html' }),
    );
    expect(response.status).toBe(500);
    expect(body(response)).toEqual(
      herodot500(
        'Found more than one error handlers to be responsible for this request. This is a configuration error that needs to be resolved by the system administrator."',
      ),
    );
  });

  it('is a 500 when a Content-Type condition meets a Content-Type Go cannot parse', () => {
    const byType = compiled(errorsConfig(['json']), [
      { handler: 'redirect', config: { when: [{ request: { header: { content_type: ['text/html'] } } }] } },
    ]);
    const response = handlePipelineError(byType, unauthorized(), from({ 'content-type': 'text/html/x' }));
    expect(response.status).toBe(500);
    expect(body(response)).toEqual(
      herodot500(
        'Unable to execute error handler "redirect". This is either a bug or a configuration issue and should be reported to the administrator. Returned error: "mime: unexpected content after media subtype". Original error: "Access credentials are invalid"',
      ),
    );
  });
});

describe('handlePipelineError: errors.fallback', () => {
  const global = errorsConfig(['redirect', 'json'], acceptHtml);
  const pipeline = compiled(global);
  const withoutRule = compiler(global).withoutRule();

  it('uses the first fallback handler whose global `when` matches', () => {
    expect(handlePipelineError(pipeline, unauthorized(), chrome)).toMatchObject({
      status: 302,
      headers: { location: LOGIN },
    });
    expect(handlePipelineError(withoutRule, noRuleMatched(), chrome)).toMatchObject({
      status: 302,
      headers: { location: LOGIN },
    });
  });

  it('skips a fallback handler whose `when` does not match', () => {
    const denied = handlePipelineError(pipeline, unauthorized(), api);
    expect(denied.status).toBe(401);
    expect(denied.headers.location).toBeUndefined();
    const unmatched = handlePipelineError(withoutRule, noRuleMatched(), api);
    expect(unmatched.status).toBe(404);
    expect(body(unmatched)).toEqual({
      error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found' },
    });
  });

  it('is a 500 when no fallback handler matches, as Oathkeeper', () => {
    const onlyRedirect = compiler(errorsConfig(['redirect'], acceptHtml)).withoutRule();
    const response = handlePipelineError(onlyRedirect, noRuleMatched(), api);
    expect(response.status).toBe(500);
    expect(body(response)).toEqual(
      herodot500(
        'Unable to handle HTTP request because no matching error handling strategy was found. This is a bug and should be reported to: http://github.com/ory/oathkeeper',
      ),
    );
  });

  it('is not consulted when a rule handler is responsible', () => {
    const rule = compiled(global, [{ handler: 'json', config: { when: acceptHtml } }]);
    expect(handlePipelineError(rule, unauthorized(), chrome).status).toBe(401);
  });
});
