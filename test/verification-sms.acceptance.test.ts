/**
 * Verification of a phone number by SMS, as Kratos: an identity whose trait says
 * `verification.via: sms` registers, the Verifier's code goes out as an SMS through the `sms`
 * channel of `courier.channels` (here a real HTTP server on loopback standing in for the SMS
 * gateway), and the code it carries verifies the number in the flow the registration started.
 */
import {
  Configuration,
  FrontendApi,
  IdentityApi,
  type RecoveryFlow,
  type VerificationFlow,
} from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSelfService } from './support/app-self-service.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { PHONE_TRAITS } from './support/phone-traits.js';
import { useSchemaFile } from './support/schema-file.js';
import type { TestServer } from './support/server.js';
import { need, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple 9';

/** The gateway's body: what an SMS API takes, from Kratos's ctx. */
const GATEWAY_BODY = `function(ctx) {
  to: ctx.recipient,
  text: ctx.body,
  type: ctx.message_type,
  code: ctx.template_data.verification_code,
}
`;

interface GatewaySms {
  to: string;
  text: string;
  type: string;
  code: string;
}

interface AdminMessage {
  id: string;
  type: string;
  status: string;
  recipient: string;
  subject: string;
  template_type: string;
  channel?: string;
}

type ContinueWithItem = { action: string; flow?: { id: string; verifiable_address: string } };

const schema = useSchemaFile('phone.schema.json', PHONE_TRAITS);

let gateway: HttpReceiver | undefined;
beforeAll(async () => {
  gateway = await startHttpReceiver();
});
afterAll(async () => {
  await gateway?.stop();
});
const sms = () => need(gateway, 'SMS gateway');

/** The SMS the gateway got for `phone`, once it got one. */
async function smsTo(phone: string): Promise<GatewaySms> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = sms()
      .to('/sms')
      .map((request) => JSON.parse(request.body) as GatewaySms)
      .find((message) => message.to === phone);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no SMS reached the gateway for ${phone}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function messagesTo(server: TestServer, recipient: string): Promise<AdminMessage[]> {
  const answer = await fetch(
    `${server.adminUrl}/admin/courier/messages?recipient=${encodeURIComponent(recipient)}`,
  );
  expect(answer.status).toBe(200);
  return (await answer.json()) as AdminMessage[];
}

describe.each(testDatabases())('verifying a phone number by SMS ($name)', (database) => {
  const t = useTestServer(database, () => ({
    watchCourier: true,
    extraConfig: {
      identity: { default_schema_id: 'phone', schemas: [{ id: 'phone', url: schema.url }] },
      // No SMTP server: only the SMS channel, which is all this deployment needs.
      courier: {
        worker: { pull_wait: '50ms' },
        channels: [
          {
            id: 'sms',
            type: 'http',
            request_config: {
              url: `${sms().url}/sms`,
              body: `base64://${Buffer.from(GATEWAY_BODY).toString('base64')}`,
            },
          },
        ],
      },
      selfservice: appSelfService({
        registration: {
          after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
        },
        verification: { enabled: true, use: 'code' },
        recovery: { enabled: true, use: 'code', notify_unknown_recipients: true },
      }),
    },
  }));

  /** Registers `phone` through the native flow; the registration's answer and its verification flow's id. */
  async function registerPhone(frontend: FrontendApi, phone: string) {
    const { data: registration } = await frontend.createNativeRegistrationFlow();
    const { data: registered } = await frontend.updateRegistrationFlow({
      flow: registration.id,
      updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits: { phone } },
    });
    const show = (registered.continue_with as ContinueWithItem[]).find(
      (item) => item.action === 'show_verification_ui',
    );
    return { registered, show, flowId: show?.flow?.id ?? '' };
  }

  it('sends the code to the gateway, and the code verifies the number', async () => {
    const phone = '+12015550123';
    // One gateway serves every database's run: only this run's SMS count.
    sms().requests.length = 0;
    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    const admin = new IdentityApi(new Configuration({ basePath: t.server.adminUrl }));
    const { registered, show } = await registerPhone(frontend, phone);
    expect(show?.flow?.verifiable_address).toBe(phone);
    // The code form's "resend" button is named by the address's via, as Kratos's post-hook flow.
    const { data: sent } = await frontend.getVerificationFlow({ id: show?.flow?.id ?? '' });
    const resend = sent.ui.nodes.filter(
      (node) => node.group === 'code' && 'type' in node.attributes && node.attributes.type === 'submit',
    );
    expect(
      resend.map((node) => 'name' in node.attributes && [node.attributes.name, node.attributes.value]),
    ).toEqual([
      ['method', 'code'],
      ['sms', phone],
    ]);

    const message = await smsTo(phone);
    expect(message.type).toBe('sms');
    expect(message.code).toMatch(/^\d{6}$/);
    expect(message.text).toContain(message.code);

    const { data: verified } = await frontend.updateVerificationFlow({
      flow: show?.flow?.id ?? '',
      updateVerificationFlowBody: { method: 'code', code: message.code },
    });
    expect(verified.state).toBe('passed_challenge');
    const { data: identity } = await admin.getIdentity({ id: registered.identity.id });
    expect(identity.verifiable_addresses?.map((a) => [a.value, a.via, a.verified, a.status])).toEqual([
      [phone, 'sms', true, 'completed'],
    ]);

    // The admin courier API lists it as Kratos does: type sms, no subject, sent by the sms channel.
    const deadline = Date.now() + 15_000;
    let listed = await messagesTo(t.server, phone);
    while (listed[0]?.status !== 'sent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      listed = await messagesTo(t.server, phone);
    }
    expect(listed).toEqual([
      expect.objectContaining({
        type: 'sms',
        status: 'sent',
        recipient: phone,
        subject: '',
        template_type: 'verification_code_valid',
        channel: 'sms',
      }),
    ]);
  });

  it('refuses a phone number typed into the recovery form, as Kratos: 400 on `email`, nothing sent', async () => {
    const phone = '+12015550188';
    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    await registerPhone(frontend, phone);
    await smsTo(phone);
    const before = sms().requests.length;

    const { data: recovery } = await frontend.createNativeRecoveryFlow();
    // Kratos's recovery body schema says `"email": {"format": "email"}`: a phone number is a
    // validation error on the field (4000040), so nobody waits for a code that never comes.
    const refused = await failure<RecoveryFlow>(
      frontend.updateRecoveryFlow({
        flow: recovery.id,
        updateRecoveryFlowBody: { method: 'code', email: phone },
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.state).toBe('choose_method');
    const email = refused.body.ui.nodes.find((n) => 'name' in n.attributes && n.attributes.name === 'email');
    expect(email?.messages.map((m) => [m.id, m.text])).toEqual([
      [4000040, `${phone} is not a valid email address`],
    ]);
    // Neither a recovery code emailed to a phone number nor the "someone asked" notice: only
    // the verification SMS of the registration was ever queued for it.
    expect((await messagesTo(t.server, phone)).map((m) => [m.type, m.template_type])).toEqual([
      ['sms', 'verification_code_valid'],
    ]);
    expect(sms().requests.length).toBe(before);
  });

  it("answers the SMS flow's resend button (`sms=<number>`) as Kratos: a post without `email`, 400", async () => {
    const phone = '+12015550166';
    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    const { flowId } = await registerPhone(frontend, phone);
    // Kratos's code strategy reads `email` only: without it (and without a code) it is required.
    const answer = await fetch(`${t.server.publicUrl}/self-service/verification?flow=${flowId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ method: 'code', sms: phone }),
    });
    expect(answer.status).toBe(400);
    const flow = (await answer.json()) as VerificationFlow;
    const email = flow.ui.nodes.find((n) => 'name' in n.attributes && n.attributes.name === 'email');
    expect(email?.messages.map((m) => m.id)).toEqual([4000002]);
    expect((await messagesTo(t.server, phone)).map((m) => m.template_type)).toEqual([
      'verification_code_valid',
    ]);
  });

  it('names the resend button `email` once an SMS flow sent a code to an email address from its form', async () => {
    const phone = '+12015550177';
    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    const { flowId } = await registerPhone(frontend, phone);
    await frontend.updateVerificationFlow({
      flow: flowId,
      updateVerificationFlowBody: { method: 'code', email: 'someone-else@example.test' },
    });
    // A wrong code shows the code form again: its resend button resends to the email address,
    // not as an SMS (`sms=<email>` would answer "email is required").
    const { data: wrong } = await frontend.updateVerificationFlow({
      flow: flowId,
      updateVerificationFlowBody: { method: 'code', code: '000000' },
    });
    expect(wrong.ui.messages?.map((m) => m.id)).toEqual([4070006]);
    const resend = wrong.ui.nodes.filter(
      (node) => node.group === 'code' && 'type' in node.attributes && node.attributes.type === 'submit',
    );
    expect(
      resend.map((node) => 'name' in node.attributes && [node.attributes.name, node.attributes.value]),
    ).toEqual([
      ['method', 'code'],
      ['email', 'someone-else@example.test'],
    ]);
  });
});
