import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../app/http.js';
import { selfServiceConfig } from '../../config/index.js';
import type { KratosConfigDocument } from '../../config/types.js';
import { silentLogger } from '../../kernel/logger.js';
import type { CodeMethod } from '../../persistence/code-store.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import { newFlow, type SelfServiceFlow } from '../flow/flow.js';
import { uiContainer } from '../flow/ui.js';
import { ENDPOINT_DISABLED_MESSAGE } from '../one-time/methods.js';
import { adminRecoveryRoutes } from './admin-routes.js';
import type { RecoveryDeps } from './deps.js';
import { recoveryRoutes } from './routes.js';

const publicBase = new URL('https://id.example/');

/** A stored api recovery flow in `sent_email`, as a person's code flow is. */
function sentFlow(): SelfServiceFlow {
  return {
    ...newFlow({
      kind: 'recovery',
      type: 'api',
      requestUrl: 'https://id.example/self-service/recovery/api',
      returnTo: null,
      lifespanMs: 3_600_000,
      ui: (id) => uiContainer(`https://id.example/self-service/recovery?flow=${id}`),
      now: new Date(),
    }),
    state: 'sent_email',
  };
}

/**
 * The public and admin recovery routes over deps that hold only what the method checks read;
 * anything else the routes touch fails the test (the checks must answer first).
 */
async function recoveryApps(
  methods: Record<CodeMethod, boolean>,
  recovery: Record<string, unknown>,
  flow: SelfServiceFlow = sentFlow(),
): Promise<FastifyInstance> {
  const document: object = {
    selfservice: {
      methods: { code: { enabled: methods.code }, link: { enabled: methods.link } },
      flows: { recovery: { enabled: true, ...recovery } },
    },
  };
  const known: Partial<RecoveryDeps> = {
    config: selfServiceConfig(document as KratosConfigDocument, publicBase),
    publicBase,
    now: () => new Date(),
    identityById: async () => undefined,
    flows: { get: async () => flow } as unknown as FlowStore,
  };
  const deps = new Proxy(known, {
    get(target, key) {
      if (key in target) return target[key as keyof RecoveryDeps];
      throw new Error(`the method check did not answer first: ${String(key)} was read`);
    },
  }) as RecoveryDeps;
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(recoveryRoutes(deps));
  await app.register(adminRecoveryRoutes(deps), { prefix: '/admin' });
  return app;
}

const disabled = {
  code: 404,
  message: 'The requested resource could not be found',
  reason: ENDPOINT_DISABLED_MESSAGE,
};

describe('selfservice.methods.{code,link}.enabled in recovery', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it("answers a switched-off method's admin endpoint with 404, before reading the body, as Kratos's strategy.IsDisabled", async () => {
    app = await recoveryApps({ code: false, link: false }, {});
    for (const path of ['/admin/recovery/code', '/admin/recovery/link']) {
      for (const body of [{ identity_id: '00000000-0000-4000-8000-000000000000' }, { nonsense: true }]) {
        const response = await app.inject({ method: 'POST', url: path, payload: body });
        expect([path, response.statusCode]).toEqual([path, 404]);
        expect(response.json()).toEqual({ error: { ...disabled, status: 'Not Found' } });
      }
    }
  });

  it('lets an enabled method through (an unknown identity is then the answer)', async () => {
    app = await recoveryApps({ code: true, link: false }, {});
    const response = await app.inject({
      method: 'POST',
      url: '/admin/recovery/code',
      payload: { identity_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.reason).toBe('The requested identity could not be found.');
    const link = await app.inject({
      method: 'POST',
      url: '/admin/recovery/link',
      payload: { identity_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(link.json().error.reason).toBe(ENDPOINT_DISABLED_MESSAGE);
  });

  it("refuses to start a flow whose recovery.use names a switched-off method, with Kratos's 400", async () => {
    app = await recoveryApps({ code: true, link: false }, { use: 'link' });
    for (const init of ['api', 'browser']) {
      const response = await app.inject({
        method: 'GET',
        url: `/self-service/recovery/${init}`,
        headers: { accept: 'application/json' },
      });
      expect([init, response.statusCode]).toEqual([init, 400]);
      expect(response.json().error.reason).toBe(
        'You attempted recovery using link, which is not enabled or does not exist. An administrator needs to enable this recovery method.',
      );
    }
  });

  it('answers a code submitted to a flow of a switched-off method with 404, as flow.MethodEnabledAndAllowed', async () => {
    app = await recoveryApps({ code: false, link: true }, { use: 'code' });
    const flow = sentFlow();
    const response = await app.inject({
      method: 'POST',
      url: `/self-service/recovery?flow=${flow.id}`,
      headers: { accept: 'application/json' },
      payload: { method: 'code', code: '123456' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.reason).toBe(ENDPOINT_DISABLED_MESSAGE);
  });
});
