import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import type { OutboundRequest, OutboundResponse } from '../../kernel/http-client.js';
import { silentLogger } from '../../kernel/logger.js';
import { newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { uiContainer } from '../flow/ui.js';
import { createHookRunner, type HookRunnerDeps, WebHookRefusal } from './runner.js';
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

/** A runner whose web hooks reach `answer` (by URL) instead of the network; no body templates. */
function runnerCalling(document: object, answer: (url: string) => { status: number; body?: unknown }) {
  const calls: string[] = [];
  const unreachable = new Proxy(
    {},
    {
      get() {
        throw new Error('not used by hooks without a body template');
      },
    },
  );
  const http = {
    async request(req: OutboundRequest): Promise<OutboundResponse> {
      calls.push(req.url);
      const { status, body } = answer(req.url);
      return {
        status,
        headers: {},
        firstHeaders: {},
        body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
      };
    },
  };
  const deps: HookRunnerDeps = {
    jsonnet: unreachable as HookRunnerDeps['jsonnet'],
    templates: unreachable as HookRunnerDeps['templates'],
    http,
    outbox: unreachable as HookRunnerDeps['outbox'],
    db: unreachable as HookRunnerDeps['db'],
    logger: silentLogger(),
    timeoutMs: 1000,
    config: selfServiceConfig(document as KratosConfigDocument, publicBase),
    publicBase,
    headerAllowlist: DEFAULT_HEADER_ALLOWLIST,
  };
  return { runner: createHookRunner(deps), calls };
}

const request = {
  headers: {},
  method: 'POST',
  url: '/self-service/recovery?flow=f',
  cookies: {},
} as unknown as FastifyRequest;

function recoveryFlow(): SelfServiceFlow {
  return newFlow({
    kind: 'recovery',
    type: 'api',
    requestUrl: 'https://id.example/self-service/recovery/api',
    returnTo: null,
    lifespanMs: 60_000,
    ui: (id) => uiContainer(`https://id.example/self-service/recovery?flow=${id}`),
    now: new Date(),
  });
}

const hook = (path: string, extra: object = {}) => ({
  hook: 'web_hook',
  config: { url: `https://hooks.example${path}`, method: 'POST', ...extra },
});
const denied = {
  status: 403,
  body: {
    messages: [
      { instance_ptr: '#/', messages: [{ id: 4000001, text: 'This account is locked.', type: 'error' }] },
    ],
  },
};

describe('mustPass', () => {
  it("runs recovery's can_interrupt and parse hooks in config order with the others, as Kratos's ExecutePostRecoveryHook, and stops at a refusal", async () => {
    const { runner, calls } = runnerCalling(
      {
        selfservice: {
          flows: {
            recovery: {
              after: {
                hooks: [
                  hook('/audit'),
                  hook('/interrupting', { can_interrupt: true }),
                  { hook: 'revoke_active_sessions' },
                  hook('/after'),
                ],
              },
            },
          },
        },
      },
      (url) => (url.endsWith('/interrupting') ? denied : { status: 200 }),
    );
    const refused = await runner.mustPass('recovery', 'code', request, recoveryFlow(), () => ({}));
    expect(refused).toBeInstanceOf(WebHookRefusal);
    expect((refused as WebHookRefusal).form.map((m) => m.text)).toEqual(['This account is locked.']);
    expect(calls).toEqual(['https://hooks.example/audit', 'https://hooks.example/interrupting']);
  });

  it('fails a recovery on a plain hook answering 403 (502), and passes when every hook does', async () => {
    const config = { selfservice: { flows: { recovery: { after: { hooks: [hook('/plain')] } } } } };
    const failing = runnerCalling(config, () => ({ status: 403 }));
    const failed = await failing.runner.mustPass('recovery', 'link', request, recoveryFlow(), () => ({}));
    expect(failed?.code).toBe(502);
    expect(failed).not.toBeInstanceOf(WebHookRefusal);
    const passing = runnerCalling(config, () => ({ status: 204 }));
    expect(
      await passing.runner.mustPass('recovery', 'link', request, recoveryFlow(), () => ({})),
    ).toBeUndefined();
  });

  it("runs login's parse hooks with the others, on the session, as Kratos's ExecuteLoginPostHook", async () => {
    const { runner, calls } = runnerCalling(
      {
        selfservice: {
          flows: {
            login: { after: { hooks: [hook('/plain'), hook('/parse', { response: { parse: true } })] } },
          },
        },
      },
      (url) => (url.endsWith('/parse') ? denied : { status: 204 }),
    );
    const refused = await runner.mustPass('login', 'password', request, recoveryFlow(), () => ({}));
    expect(refused).toBeInstanceOf(WebHookRefusal);
    expect(calls).toEqual(['https://hooks.example/plain', 'https://hooks.example/parse']);
  });
});
