/**
 * SMS through the courier, as Kratos's `courier.channels` (id `sms`, type `http`): messages of
 * type `sms`, rendered from the SMS templates, delivered by the worker to a real HTTP server on
 * loopback standing in for the SMS gateway, with the outbox's retries and statuses.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.js';
import type { Courier } from '../src/courier/index.js';
import type { Database } from '../src/persistence/database.js';
import { testEngines } from '../src/persistence/testing/engines.js';
import {
  base64Url,
  courierDocument,
  eventually,
  FAST_WORKER,
  MIRROR_TEMPLATE,
  queueVerificationCode,
  useCourierSuite,
} from './support/courier-direct.js';

const PHONE = '+15555550123';

const smsChannel = (requestConfig: Record<string, unknown>) => ({
  channels: [{ id: 'sms', type: 'http', request_config: requestConfig }],
});

/** An SMS with the verification code to `recipient`. */
const queueSms = (courier: Courier, database: Database, recipient: string, code: string) =>
  queueVerificationCode(courier, database, recipient, code, 'sms');

describe.each(testEngines())('SMS over the sms channel ($name)', (engine) => {
  const suite = useCourierSuite(engine);
  const courierFor = (courierKeys: Record<string, unknown>, dev = false) =>
    suite.courierFor(courierDocument(courierKeys), { dev });

  it("posts the SMS to the gateway with Kratos's ctx, and records it as a sent sms message", async () => {
    const courier = await courierFor(
      smsChannel({
        url: `${suite.receiver.url}/sms`,
        headers: { 'X-Sender': 'Acme' },
        body: base64Url(MIRROR_TEMPLATE),
        auth: { type: 'api_key', config: { name: 'X-Api-Key', value: 'k3y', in: 'header' } },
      }),
    );
    expect(courier.smsChannel).toBe('sms');
    const id = await queueSms(courier, suite.database, PHONE, '482915');
    expect(await courier.getMessage(id)).toMatchObject({
      type: 'sms',
      status: 'queued',
      recipient: PHONE,
      subject: '',
      html_body: null,
      template_type: 'verification_code_valid',
    });
    courier.startWorker(FAST_WORKER);

    const [request] = await suite.receiver.waitFor('/sms', 1);
    expect(request?.headers).toMatchObject({
      'x-api-key': 'k3y',
      'x-sender': 'Acme',
      'content-type': 'application/json',
      'idempotency-key': id,
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      to: PHONE,
      kind: 'verification_code_valid',
      type: 'sms',
      subject: '',
      text: expect.stringContaining('482915'),
      has_html: false,
      html: null,
      // Kratos's SMS VerificationCodeValidModel, as it marshals it: no verification_url.
      data: {
        to: PHONE,
        verification_code: '482915',
        expires_in_minutes: 15,
        request_url: 'https://auth.example.com/self-service/registration/api',
        transient_payload: { locale: 'de' },
      },
    });
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');
    const message = await courier.getMessage(id);
    expect(message).toMatchObject({ type: 'sms', channel: 'sms', send_count: 1 });
    expect(message?.dispatches.map((d) => d.status)).toEqual(['success']);
  });

  it("sends Kratos's default body when the channel sets none, and email still goes its own way", async () => {
    const courier = await courierFor({
      delivery_strategy: 'http',
      http: { request_config: { url: `${suite.receiver.url}/mail` } },
      ...smsChannel({ url: `${suite.receiver.url}/sms-default` }),
    });
    const sms = await queueSms(courier, suite.database, PHONE, '111222');
    const { id: email } = await courier.queueMessage(suite.database.db, {
      recipient: 'ada@example.com',
      template: 'verification_code_valid',
      data: { To: 'ada@example.com', VerificationCode: '333444' },
    });
    courier.startWorker(FAST_WORKER);
    const [smsRequest] = await suite.receiver.waitFor('/sms-default', 1);
    const [mailRequest] = await suite.receiver.waitFor('/mail', 1);
    expect(JSON.parse(smsRequest?.body ?? '')).toEqual({
      recipient: PHONE,
      template_type: 'verification_code_valid',
      to: PHONE,
      recovery_code: null,
      recovery_url: null,
      verification_url: null,
      verification_code: '111222',
      subject: '',
      body: expect.stringContaining('111222'),
    });
    expect(JSON.parse(mailRequest?.body ?? '')).toMatchObject({ recipient: 'ada@example.com' });
    await eventually(async () => (await courier.getMessage(email))?.status === 'sent');
    await eventually(async () => (await courier.getMessage(sms))?.status === 'sent');
    expect((await courier.getMessage(email))?.channel).toBe('http');
    expect((await courier.getMessage(sms))?.channel).toBe('sms');
    expect(suite.receiver.to('/sms-default')).toHaveLength(1);
  });

  it("retries a gateway's 5xx with the courier's back-off, then delivers", async () => {
    suite.receiver.script('/flaky', [{ status: 503 }, { status: 200 }]);
    const courier = await courierFor(smsChannel({ url: `${suite.receiver.url}/flaky` }));
    const id = await queueSms(courier, suite.database, PHONE, '555666');
    courier.startWorker(FAST_WORKER);
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');
    const message = await courier.getMessage(id);
    expect(message).toMatchObject({ status: 'sent', channel: 'sms', send_count: 2 });
    expect(message?.dispatches.map((d) => [d.status, d.error?.response_code])).toEqual([
      ['success', undefined],
      ['failed', 503],
    ]);
  });

  it('fails an SMS without an sms channel at every try, then abandons it, as Kratos', async () => {
    // Email has its channel, SMS none: the worker runs, and only the SMS fails.
    const courier = await courierFor({
      delivery_strategy: 'http',
      http: { request_config: { url: `${suite.receiver.url}/mail` } },
      message_retries: 1,
    });
    expect(courier.smsChannel).toBeUndefined();
    const id = await queueSms(courier, suite.database, PHONE, '777888');
    courier.startWorker(FAST_WORKER);
    await eventually(async () => (await courier.getMessage(id))?.status === 'abandoned');
    const message = await courier.getMessage(id);
    expect(message?.send_count).toBe(2);
    expect(message?.dispatches.map((d) => d.error?.code)).toEqual([
      'channel_not_configured',
      'channel_not_configured',
    ]);
    expect(message?.dispatches[0]?.error?.message).toBe('no courier channel is configured for sms messages');
    expect(suite.receiver.requests).toEqual([]);
  });

  it('with --dev and no sms channel, delivers SMS to the dev inbox', async () => {
    const courier = await courierFor({}, true);
    expect(courier.smsChannel).toBe('inbox');
    const id = await queueSms(courier, suite.database, PHONE, '999000');
    courier.startWorker(FAST_WORKER);
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');
    expect(await courier.getMessage(id)).toMatchObject({ type: 'sms', channel: 'inbox' });
    const page = await courier.listMessages({ recipient: PHONE, pageSize: 10 });
    expect(page.messages.find((m) => m.id === id)?.body).toContain('999000');
  });

  it('starts a worker with only an sms channel outside --dev', async () => {
    const courier = await courierFor(smsChannel({ url: `${suite.receiver.url}/only-sms` }));
    expect(courier.channel).toBeUndefined();
    const id = await queueSms(courier, suite.database, PHONE, '121212');
    courier.startWorker(FAST_WORKER);
    await suite.receiver.waitFor('/only-sms', 1);
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');
  });

  it('refuses at start an SMS body template that fails on an SMS it would send', async () => {
    const error = await courierFor(
      smsChannel({
        url: `${suite.receiver.url}/sms`,
        body: base64Url('function(ctx) { link: ctx.template_data.verification_url }'),
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toEqual({
      path: 'courier.channels[0].request_config.body',
      message: expect.stringContaining('field does not exist: verification_url'),
    });
  });
});
