/**
 * Web hooks as Kratos's web hook client sends them and reads their answers: a `before` parse
 * hook's refusal stops the flow, `ctx.flow.transient_payload`, retries (429/5xx, twice), Go's
 * redirect rules, the Ory-Webhook-* headers, and a 500 for a parse hook answer that does not decode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { need, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple';
const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;
const traits = (email: string) => ({
  email,
  fullname: 'Mary Jackson',
  phone_number: 5550100,
  user_type: 'educator',
});
const refusal = {
  status: 400,
  body: {
    messages: [
      {
        instance_ptr: '#',
        messages: [{ id: 1, text: 'Sign-ups from your region are closed', type: 'error' }],
      },
    ],
  },
};
/** The parse hook's body, as Kratos's docs write it: the payload is read from the flow. */
const PARSE_BODY = `function(ctx) {
  email: ctx.identity.traits.email,
  consent: if std.objectHas(ctx.flow, "transient_payload") then ctx.flow.transient_payload.consent else null,
  top_level: std.objectHas(ctx, "transient_payload"),
}`;

describe.each(testDatabases())('web hooks through a Kratos-like client ($name)', (database) => {
  let receiver: HttpReceiver | undefined;
  const hooks = () => need(receiver, 'receiver');
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  const hook = (path: string, extra: object = {}) => ({
    hook: 'web_hook',
    config: { url: `${hooks().url}${path}`, method: 'POST', body: base64('function(ctx) {}'), ...extra },
  });
  const t = useTestServer(database, () => ({
    redis: true,
    webhookWorker: { pollIntervalMs: 50, baseDelayMs: 100 },
    extraConfig: {
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        flows: {
          registration: {
            before: { hooks: [hook('/registration-before', { response: { parse: true } })] },
            after: {
              password: {
                hooks: [
                  hook('/parse', { body: base64(PARSE_BODY), response: { parse: true } }),
                  hook('/async', { response: { ignore: true } }),
                ],
              },
            },
          },
          login: {
            before: {
              hooks: [hook('/login-before'), hook('/quiet', { emit_analytics_event: false })],
            },
          },
        },
      },
    },
  }));

  async function register(email: string, transientPayload?: object) {
    const { data: flow } = await t.frontend.createNativeRegistrationFlow();
    return t.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        traits: traits(email),
        password: PASSWORD,
        ...(transientPayload === undefined ? {} : { transient_payload: transientPayload }),
      },
    });
  }

  it('does not start a flow whose before parse hook answers 4xx with messages (Kratos: a 500)', async () => {
    hooks().script('/registration-before', [refusal]);
    try {
      const api = await failure<{ error: { code: number; message: string } }>(
        t.frontend.createNativeRegistrationFlow(),
      );
      expect(api.status).toBe(500);
      expect(api.body.error.code).toBe(500);
      expect(api.body.error.message).toContain('validation errors occurred');
      const browser = await fetch(`${t.server.publicUrl}/self-service/registration/browser`, {
        headers: { accept: 'application/json' },
      });
      expect(browser.status).toBe(500);
    } finally {
      hooks().script('/registration-before', [{ status: 200, body: {} }]);
    }
    const { status } = await t.frontend.createNativeRegistrationFlow();
    expect(status).toBe(200);
  });

  it('hands the submitted transient_payload to hooks in ctx.flow, as Kratos, and not top-level', async () => {
    await register('consenting@example.test', { consent: 'yes' });
    const call = hooks()
      .to('/parse')
      .map((r) => JSON.parse(r.body) as { email: string; consent: unknown; top_level: boolean })
      .find((b) => b.email === 'consenting@example.test');
    expect(call).toEqual({ email: 'consenting@example.test', consent: 'yes', top_level: false });
  });

  it('retries a 503 with the same trigger id and a new request id, then goes on', async () => {
    const before = hooks().to('/login-before').length;
    const quietBefore = hooks().to('/quiet').length;
    hooks().script('/login-before', [{ status: 503 }, { status: 200, body: {} }]);
    const { status } = await t.frontend.createNativeLoginFlow();
    expect(status).toBe(200);
    const calls = hooks().to('/login-before').slice(before);
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first?.headers['ory-webhook-trigger-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers['ory-webhook-trigger-id']).toBe(first?.headers['ory-webhook-trigger-id']);
    expect(first?.headers['ory-webhook-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers['ory-webhook-request-id']).not.toBe(first?.headers['ory-webhook-request-id']);
    // emit_analytics_event: false sends neither (the quiet hook of this very login init).
    const quietCalls = hooks().to('/quiet').slice(quietBefore);
    expect(quietCalls).toHaveLength(1);
    const quiet = quietCalls[0];
    expect(quiet?.headers['ory-webhook-trigger-id']).toBeUndefined();
    expect(quiet?.headers['ory-webhook-request-id']).toBeUndefined();
  });

  it("follows a 307 to the parse hook's real endpoint and applies its answer", async () => {
    hooks().script('/parse', [{ status: 307, headers: { location: '/parse-moved' } }]);
    hooks().script('/parse-moved', [
      { status: 200, body: { identity: { metadata_public: { plan: 'gold' } } } },
    ]);
    try {
      const { data } = await register('redirected@example.test');
      expect(data.identity.metadata_public).toEqual({ plan: 'gold' });
      const [moved] = hooks().to('/parse-moved');
      expect(moved?.method).toBe('POST');
      expect(JSON.parse(moved?.body ?? '{}')).toMatchObject({ email: 'redirected@example.test' });
    } finally {
      hooks().script('/parse', [{ status: 200, body: {} }]);
    }
  });

  it('delivers a response.ignore hook through a 308, with the Ory-Webhook-* headers', async () => {
    hooks().script('/async', [{ status: 308, headers: { location: '/async-moved' } }]);
    try {
      await register('async@example.test');
      const [moved] = await hooks().waitFor('/async-moved', 1);
      expect(moved?.method).toBe('POST');
      expect(moved?.headers['ory-webhook-trigger-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(moved?.headers['ory-webhook-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      hooks().script('/async', [{ status: 200, body: {} }]);
    }
  });

  it('fails a parse hook whose answer is a redirect it cannot follow, instead of dropping its patch', async () => {
    hooks().script('/parse', [{ status: 302 }]);
    try {
      const refused = await failure(register('stuck@example.test'));
      expect(refused.status).toBe(502);
      const { data: found } = await t.admin.listIdentities({ credentialsIdentifier: 'stuck@example.test' });
      expect(found).toEqual([]);
    } finally {
      hooks().script('/parse', [{ status: 200, body: {} }]);
    }
  });

  it('answers 500, as Kratos, when a parse hook refuses without messages', async () => {
    hooks().script('/parse', [{ status: 403, body: { reason: 'no' } }]);
    try {
      const refused = await failure<{ error: { code: number; message: string } }>(
        register('unexplained@example.test'),
      );
      expect(refused.status).toBe(500);
      expect(refused.body.error.message).toBe(
        'error while parsing webhook response: got no validation errors',
      );
    } finally {
      hooks().script('/parse', [{ status: 200, body: {} }]);
    }
  });
});
