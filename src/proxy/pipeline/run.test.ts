import { describe, expect, it } from 'vitest';
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
import { type CompiledPipeline, runPipeline } from './run.js';
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
