/**
 * Portcullis's guard against SMS pumping (`security.sms_limit`, beyond Kratos): a script that
 * registers with one premium-rate number after another gets a verification SMS for each unless
 * something caps them. Past the cap per client IP or in all, no SMS is queued and a warning is
 * logged, while every answer stays what it would have been, so the client learns nothing of it.
 */
import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSelfService } from '../src/app/selfservice.js';
import { createVerificationSender } from '../src/selfservice/verification/send-on-change.js';
import { appSelfService } from './support/app-self-service.js';
import { queuedTo } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { PHONE_TRAITS } from './support/phone-traits.js';
import { useSchemaFile } from './support/schema-file.js';
import { startTestServer, type TestServer } from './support/server.js';
import { need, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple 9';

type ContinueWithItem = { action: string; flow?: { id: string; verifiable_address: string } };

const schema = useSchemaFile('phone.schema.json', PHONE_TRAITS);

/** The config of a deployment whose identities sign up with a phone number verified by SMS. */
function phoneDeployment(smsLimit: Record<string, unknown>): Record<string, unknown> {
  return {
    identity: { default_schema_id: 'phone', schemas: [{ id: 'phone', url: schema.url }] },
    // Nothing is delivered (no worker runs): what counts is what gets queued.
    courier: {
      channels: [{ id: 'sms', type: 'http', request_config: { url: 'http://127.0.0.1:9/sms' } }],
    },
    security: { sms_limit: smsLimit },
    selfservice: appSelfService({
      registration: {
        after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
      },
      verification: { enabled: true, use: 'code' },
    }),
  };
}

/**
 * A native sign-up with `phone` (sent through a trusted proxy for `from`, when given): the
 * verification flow it started, as the client sees it.
 */
async function signUp(server: TestServer, phone: string, from?: string) {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  const { data: flow } = await frontend.createNativeRegistrationFlow();
  const { status, data } = await frontend.updateRegistrationFlow(
    {
      flow: flow.id,
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: { phone } },
    },
    from === undefined ? {} : { headers: { 'X-Forwarded-For': from } },
  );
  const show = (data.continue_with as ContinueWithItem[]).find((i) => i.action === 'show_verification_ui');
  const { data: verification } = await frontend.getVerificationFlow({ id: show?.flow?.id ?? '' });
  return {
    status,
    address: show?.flow?.verifiable_address,
    state: verification.state,
    messages: verification.ui.messages?.map((m) => m.id),
  };
}

/** The templates of the messages queued to `phone`. */
const queued = async (server: TestServer, phone: string) =>
  (await queuedTo(server, phone)).map((m) => m.template_type);

describe.each(testDatabases())('verification SMS past security.sms_limit ($name)', (database) => {
  describe('total', () => {
    const t = useTestServer(database, () => ({ extraConfig: phoneDeployment({ total: 2 }) }));

    it('queues no SMS past the total, and the sign-up answers as before', async () => {
      const phones = ['+12015550201', '+12015550202', '+12015550203'];
      const answers = [];
      for (const phone of phones) answers.push(await signUp(t.server, phone));

      // The third sign-up is told what the others were: a code was sent to its number.
      expect(answers).toEqual(
        phones.map((phone) => ({ status: 200, address: phone, state: 'sent_email', messages: [1080003] })),
      );
      expect(await queued(t.server, phones[0] ?? '')).toEqual(['verification_code_valid']);
      expect(await queued(t.server, phones[1] ?? '')).toEqual(['verification_code_valid']);
      expect(await queued(t.server, phones[2] ?? '')).toEqual([]);
    });
  });

  describe('per client IP, over HTTP', () => {
    const t = useTestServer(database, () => {
      const config = phoneDeployment({ per_ip: 2, total: 100 });
      // The test client reaches the server from loopback, a proxy trusted to name the client.
      (config.security as Record<string, unknown>).brute_force = {
        trusted_proxies: ['127.0.0.1/32', '::1/128'],
      };
      return { extraConfig: config };
    });

    it('caps the SMS that sign-ups from one client cause, not those of another client', async () => {
      const phones = ['+12015550221', '+12015550222', '+12015550223', '+12015550224'];
      const from = ['203.0.113.21', '203.0.113.21', '203.0.113.21', '198.51.100.21'];
      for (const [index, phone] of phones.entries()) {
        const answer = await signUp(t.server, phone, from[index]);
        expect(answer).toEqual({ status: 200, address: phone, state: 'sent_email', messages: [1080003] });
      }
      const sent = [];
      for (const phone of phones) sent.push(await queued(t.server, phone));
      expect(sent).toEqual([
        ['verification_code_valid'],
        ['verification_code_valid'],
        [],
        ['verification_code_valid'],
      ]);
    });
  });

  describe('per client IP', () => {
    const t = useTestServer(database, () => ({ extraConfig: phoneDeployment({ per_ip: 2, total: 100 }) }));

    it('queues no SMS past one IP’s cap, while another IP still gets its own, and logs it', async () => {
      const admin = new IdentityApi(new Configuration({ basePath: t.server.adminUrl }));
      const phones = ['+12015550211', '+12015550212', '+12015550213', '+12015550214'];
      const identities = [];
      for (const phone of phones) {
        const { data } = await admin.createIdentity({
          createIdentityBody: { schema_id: 'phone', traits: { phone } },
        });
        const identity = await t.server.registry.identityStore.get(data.id);
        identities.push(need(identity, `identity ${phone}`));
      }
      // The flows' wiring from this server's registry and config (`serve` builds the same), with
      // a logger that keeps the warnings.
      const selfService = buildSelfService(t.server.registry);
      const warnings: { obj: object; msg: string }[] = [];
      const sender = createVerificationSender(selfService.verification, {
        warn: (obj, msg) => warnings.push({ obj, msg }),
      });
      try {
        const from = ['203.0.113.7', '203.0.113.7', '203.0.113.7', '198.51.100.4'];
        const started = [];
        for (const [index, identity] of identities.entries()) {
          started.push(
            ...(await sender.start(
              identity,
              [phones[index] ?? ''],
              {
                type: 'api',
                requestUrl: `${t.server.publicUrl}/self-service/registration/api`,
                clientIp: from[index],
              },
              { each: false },
            )),
          );
        }
        // A flow each, whether its SMS went or not.
        expect(started.map((s) => s.address)).toEqual(phones);
        expect(await Promise.all(phones.map((phone) => queued(t.server, phone)))).toEqual([
          ['verification_code_valid'],
          ['verification_code_valid'],
          [],
          ['verification_code_valid'],
        ]);
        expect(warnings).toEqual([
          {
            obj: { identity_id: identities[2]?.id, limit: 'security.sms_limit.per_ip' },
            msg: 'verification SMS cap reached (possible SMS pumping); the verification SMS was not sent',
          },
        ]);
      } finally {
        await selfService.close();
      }
    });
  });
});

// Replicas of one deployment share the counters in Redis: the total holds across them.
describe.skipIf(!process.env.REDIS_URL)('verification SMS total across replicas (Redis)', () => {
  const prefix = `portcullis-test-sms-${process.pid}-${Date.now()}:`;
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  beforeAll(async () => {
    const options = { dsn: 'memory', redis: true, redisKeyPrefix: prefix };
    a = await startTestServer({ ...options, extraConfig: phoneDeployment({ total: 1 }) });
    b = await startTestServer({ ...options, extraConfig: phoneDeployment({ total: 1 }) });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("counts one replica's SMS against the other's", async () => {
    await signUp(need(a, 'replica a'), '+12015550221');
    const second = await signUp(need(b, 'replica b'), '+12015550222');
    expect(second).toMatchObject({ status: 200, state: 'sent_email' });
    expect(await queued(need(a, 'replica a'), '+12015550221')).toEqual(['verification_code_valid']);
    expect(await queued(need(b, 'replica b'), '+12015550222')).toEqual([]);
  });
});
