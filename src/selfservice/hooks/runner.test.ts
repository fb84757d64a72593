import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import { silentLogger } from '../../kernel/logger.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { createHookRunner, type HookRunnerDeps } from './runner.js';
import { DEFAULT_HEADER_ALLOWLIST } from './web-hook/context.js';

const publicBase = new URL('https://id.example/');

/** A runner whose calls all fail: for configs under which no web hook may run. */
function runnerWithoutWebHooks(document: object = {}) {
  const unreachable = new Proxy(
    {},
    {
      get() {
        throw new Error('no web hook is configured: nothing may be called');
      },
    },
  );
  const deps: HookRunnerDeps = {
    jsonnet: unreachable as HookRunnerDeps['jsonnet'],
    templates: unreachable as HookRunnerDeps['templates'],
    http: unreachable as HookRunnerDeps['http'],
    outbox: unreachable as HookRunnerDeps['outbox'],
    db: unreachable as HookRunnerDeps['db'],
    logger: silentLogger(),
    timeoutMs: 1000,
    config: selfServiceConfig(document as KratosConfigDocument, publicBase),
    publicBase,
    headerAllowlist: DEFAULT_HEADER_ALLOWLIST,
  };
  return createHookRunner(deps);
}

describe('createHookRunner', () => {
  it('never builds the subject (identity JSON, session reads) when no web hook is configured', async () => {
    const runner = runnerWithoutWebHooks();
    const request = {} as FastifyRequest;
    const flow = {} as SelfServiceFlow;
    const subject = () => {
      throw new Error('the subject was built');
    };
    expect(await runner.prePersist('login', 'password', request, flow, subject)).toEqual({
      kind: 'continue',
      patches: [],
    });
    await runner.postPersist('registration', 'password', request, flow, subject);
    expect(await runner.before('settings', request, flow)).toBeUndefined();
  });
});

describe('prePersist', () => {
  it("reads a registration's or settings' own after.<method>.hooks only, never the flow's after.hooks (as Kratos)", async () => {
    const parseHook = {
      hook: 'web_hook',
      config: { url: 'https://hooks.example/parse', method: 'POST', response: { parse: true } },
    };
    const runner = runnerWithoutWebHooks({
      selfservice: {
        flows: {
          registration: { after: { hooks: [parseHook] } },
          settings: { after: { hooks: [parseHook], password: { hooks: [] } } },
        },
      },
    });
    const subject = () => {
      throw new Error('the subject was built');
    };
    for (const [kind, method] of [
      ['registration', 'password'],
      ['settings', 'profile'],
      ['settings', 'password'],
    ] as const) {
      expect(
        await runner.prePersist(kind, method, {} as FastifyRequest, {} as SelfServiceFlow, subject),
      ).toEqual({
        kind: 'continue',
        patches: [],
      });
    }
  });
});
