import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type KratosConfigDocument } from '../src/config/index.js';
import { type Courier, createCourier } from '../src/courier/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { type Database, openDatabase } from '../src/persistence/database.js';
import { parseDsn } from '../src/persistence/dsn.js';
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
import { testDatabases } from './support/databases.js';
import { startHttpReceiver } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { startTestServer } from './support/server.js';

function httpCourier(requestConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return courierDocument({ delivery_strategy: 'http', http: { request_config: requestConfig }, ...extra });
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

describe.each(testEngines())('courier over HTTP ($name)', (engine) => {
  const suite = useCourierSuite(engine);
  let dir: string;
  const courierFor = (document: KratosConfigDocument) => suite.courierFor(document, { cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-courier-http-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers a verification message with the Jsonnet-rendered body, the headers and basic auth', async () => {
    await writeFile(join(dir, 'mail.jsonnet'), MIRROR_TEMPLATE);
    const courier = await courierFor(
      httpCourier({
        url: `${suite.receiver.url}/mail`,
        method: 'POST',
        headers: { 'X-Tenant': 'acme' },
        body: 'file://mail.jsonnet',
        auth: { type: 'basic_auth', config: { user: 'me', password: '12345' } },
      }),
    );
    expect(courier.channel).toBe('http');
    const id = await queueVerificationCode(courier, suite.database, 'ada@example.com', '482915');
    courier.startWorker(FAST_WORKER);

    const [request] = await suite.receiver.waitFor('/mail', 1);
    expect(request?.method).toBe('POST');
    expect(request?.headers).toMatchObject({
      authorization: 'Basic bWU6MTIzNDU=',
      'content-type': 'application/json',
      'x-tenant': 'acme',
      'idempotency-key': id,
    });
    const body = JSON.parse(request?.body ?? '') as Record<string, unknown>;
    expect(body).toEqual({
      to: 'ada@example.com',
      kind: 'verification_code_valid',
      type: 'email',
      subject: 'Please verify your email address',
      text: expect.stringContaining('482915'),
      has_html: true,
      html: expect.stringContaining('482915'),
      data: expect.objectContaining({ to: 'ada@example.com', verification_code: '482915' }),
    });
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');
    const message = await courier.getMessage(id);
    expect(message).toMatchObject({ channel: 'http', send_count: 1 });
    expect(message?.dispatches.map((d) => d.status)).toEqual(['success']);
  });

  it("sends Kratos's default body with an API key header, and form bodies with an API key cookie", async () => {
    const json = await courierFor(
      httpCourier({
        url: `${suite.receiver.url}/default`,
        auth: { type: 'api_key', config: { name: 'X-Api-Key', value: 'k3y', in: 'header' } },
      }),
    );
    await queueVerificationCode(json, suite.database, 'grace@example.com', '111222');
    const worker = json.startWorker(FAST_WORKER);
    const [request] = await suite.receiver.waitFor('/default', 1);
    await worker.stop();
    expect(request?.headers['x-api-key']).toBe('k3y');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      recipient: 'grace@example.com',
      template_type: 'verification_code_valid',
      to: 'grace@example.com',
      recovery_code: null,
      recovery_url: null,
      verification_url: expect.any(String),
      verification_code: '111222',
      subject: 'Please verify your email address',
      body: expect.stringContaining('111222'),
    });

    const form = await courierFor(
      httpCourier({
        url: `${suite.receiver.url}/form`,
        method: 'PUT',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: base64Url('function(ctx) { to: ctx.recipient, subject: ctx.subject }'),
        auth: { type: 'api_key', config: { name: 'session', value: 's3cret', in: 'cookie' } },
      }),
    );
    await queueVerificationCode(form, suite.database, 'form+1@example.com', '333444');
    form.startWorker(FAST_WORKER);
    const [formRequest] = await suite.receiver.waitFor('/form', 1);
    expect(formRequest?.method).toBe('PUT');
    expect(formRequest?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      cookie: 'session=s3cret',
    });
    expect(formRequest?.body).toBe('subject=Please+verify+your+email+address&to=form%2B1%40example.com');
  });

  it("retries a 5xx with the courier's back-off, then delivers, with one Idempotency-Key throughout", async () => {
    const arrivals: number[] = [];
    const answers = [503, 500, 200];
    suite.receiver.script('/flaky', () => {
      arrivals.push(Date.now());
      return { status: answers[arrivals.length - 1] ?? 200 };
    });
    const courier = await courierFor(
      httpCourier({ url: `${suite.receiver.url}/flaky`, body: base64Url(MIRROR_TEMPLATE) }),
    );
    const id = await queueVerificationCode(courier, suite.database, 'retry@example.com', '555666');
    courier.startWorker(FAST_WORKER);
    await eventually(async () => (await courier.getMessage(id))?.status === 'sent');

    const requests = suite.receiver.to('/flaky');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => header(r.headers['idempotency-key'])))).toEqual(new Set([id]));
    // Retry n waits 100 ms * 2^(n-1): 100 ms after the first failure, 200 ms after the second.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(100);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(200);
    const message = await courier.getMessage(id);
    expect(message).toMatchObject({ status: 'sent', channel: 'http', send_count: 3 });
    // Newest first, as Kratos loads them.
    expect(message?.dispatches.map((d) => [d.status, d.error?.response_code])).toEqual([
      ['success', undefined],
      ['failed', 500],
      ['failed', 503],
    ]);
    expect(message?.dispatches[2]?.error).toMatchObject({ code: 'http_status', permanent: false });
  });

  it('delivers every message queued while the receiver was down, each once', async () => {
    await suite.receiver.stop();
    const courier = await courierFor(httpCourier({ url: `${suite.receiver.url}/outage` }));
    const ids = await Promise.all(
      [1, 2, 3].map((i) =>
        queueVerificationCode(courier, suite.database, `down-${i}@example.com`, `70000${i}`),
      ),
    );
    courier.startWorker(FAST_WORKER);
    await eventually(async () =>
      (await Promise.all(ids.map((id) => courier.getMessage(id)))).every(
        (m) => (m?.dispatches.length ?? 0) >= 1,
      ),
    );
    expect((await courier.getMessage(ids[0]!))?.dispatches[0]?.error).toMatchObject({
      code: 'ECONNREFUSED',
      permanent: false,
    });
    await suite.receiver.start();
    await eventually(async () =>
      (await Promise.all(ids.map((id) => courier.getMessage(id)))).every((m) => m?.status === 'sent'),
    );
    await new Promise((r) => setTimeout(r, 200));
    const keys = suite.receiver.to('/outage').map((r) => header(r.headers['idempotency-key']));
    expect([...keys].sort()).toEqual([...ids].sort());
  });

  it('abandons a message its template cancels at once, and one its template fails on after the retries', async () => {
    const template = `function(ctx)
  if ctx.recipient == "skip@example.com" then error "cancel"
  else if ctx.recipient == "boom@example.com" then error "boom"
  else { to: ctx.recipient }
`;
    const courier = await courierFor(
      httpCourier({ url: `${suite.receiver.url}/judged`, body: base64Url(template) }, { message_retries: 1 }),
    );
    const skip = await queueVerificationCode(courier, suite.database, 'skip@example.com', '100001');
    const boom = await queueVerificationCode(courier, suite.database, 'boom@example.com', '100002');
    const fine = await queueVerificationCode(courier, suite.database, 'fine@example.com', '100003');
    courier.startWorker(FAST_WORKER);
    await eventually(async () => {
      const statuses = await Promise.all(
        [skip, boom, fine].map(async (id) => (await courier.getMessage(id))?.status),
      );
      return statuses.join() === 'abandoned,abandoned,sent';
    });
    const skipped = await courier.getMessage(skip);
    expect(skipped?.send_count).toBe(1);
    expect(skipped?.dispatches[0]?.error).toMatchObject({ code: 'template_cancelled', permanent: true });
    const failed = await courier.getMessage(boom);
    expect(failed?.send_count).toBe(2);
    expect(failed?.dispatches.map((d) => d.error?.code)).toEqual(['template_failed', 'template_failed']);
    expect(failed?.dispatches[0]?.error?.message).toContain('boom');
    expect(suite.receiver.to('/judged').map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { to: 'fine@example.com' },
    ]);
  });
});

describe('courier over HTTP: start-up checks', () => {
  let database: Database & { drop(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    database = await testEngines()[0]!.open();
    dir = await mkdtemp(join(tmpdir(), 'portcullis-courier-http-'));
  });
  afterAll(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function refusal(requestConfig: Record<string, unknown>): Promise<ConfigError> {
    const built = createCourier({
      config: { document: httpCourier({ url: 'http://127.0.0.1:9/mail', ...requestConfig }), dev: false },
      database,
      logger: silentLogger(),
      cwd: dir,
    });
    const error = await built.then(
      async (courier) => {
        await courier.close();
        throw new Error('expected the courier to refuse the config');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }

  it('refuses a template that cannot be read, does not parse, imports, or fails on a message it would send', async () => {
    expect((await refusal({ body: 'file://missing.jsonnet' })).issues[0]).toEqual({
      path: 'courier.http.request_config.body',
      message: 'the Jsonnet template cannot be read (ENOENT)',
    });
    expect((await refusal({ body: base64Url('function(ctx) { to: }') })).message).toContain('STATIC ERROR');
    expect((await refusal({ body: base64Url('local x = import "/etc/passwd"; x') })).message).toContain(
      'imports are not allowed',
    );
    // Checked with each template type's sample data: a field no message has stops the start.
    const noSuchField = await refusal({
      body: base64Url('function(ctx) { code: ctx.template_data.no_such_variable }'),
    });
    expect(noSuchField.message).toContain('field does not exist: no_such_variable');
    const formOfNumbers = await refusal({
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: base64Url('function(ctx) { to: ctx.recipient, attempts: 1 }'),
    });
    expect(formOfNumbers.message).toContain('a form-encoded body must be an object of strings');
    expect((await refusal({ headers: { 'Content-Type': 'text/plain' } })).issues[0]?.path).toBe(
      'courier.http.request_config.headers',
    );
  });
});

/** A real HTTP server that takes `delayMs` to answer each request, counting them by Idempotency-Key. */
async function startSlowReceiver(
  delayMs: number,
): Promise<{ url: string; received: Map<string, number>; stop(): Promise<void> }> {
  const port = await freePort();
  const received = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        const key = header(req.headers['idempotency-key']) ?? 'none';
        received.set(key, (received.get(key) ?? 0) + 1);
        res.writeHead(202).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(testEngines())('two HTTP workers whose batch outlasts its lease ($name)', (engine) => {
  it('send no message twice', { timeout: 30_000 }, async () => {
    // As over SMTP: one lane sends a batch one message after another (450 ms each), so the
    // batch's 3 s lease runs out mid-batch and the other worker claims the rest. Each send still
    // has a second to spare before its own timeout (half the lease), so a loaded machine does not
    // turn a slow answer into a legitimate at-least-once retry.
    const database = await engine.open();
    const receiver = await startSlowReceiver(450);
    const couriers: Courier[] = [];
    try {
      const document = httpCourier({ url: `${receiver.url}/mail` });
      for (let i = 0; i < 2; i++) {
        couriers.push(
          await createCourier({ config: { document, dev: false }, database, logger: silentLogger() }),
        );
      }
      const ids: string[] = [];
      for (let i = 0; i < 8; i++)
        ids.push(await queueVerificationCode(couriers[0]!, database, `lease-${i}@example.com`, '123456'));
      const settings = { ...FAST_WORKER, leaseMs: 3_000, batchSize: 10, concurrency: 1 };
      const workers = couriers.map((c) => c.startWorker(settings));
      await eventually(async () =>
        (await Promise.all(ids.map((id) => couriers[0]!.getMessage(id)))).every((m) => m?.status === 'sent'),
      );
      await new Promise((r) => setTimeout(r, 1_000));
      await Promise.all(workers.map((w) => w.stop()));

      expect(Object.fromEntries(receiver.received)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      for (const id of ids) {
        expect((await couriers[0]!.getMessage(id))?.dispatches.map((d) => d.status)).toEqual(['success']);
      }
    } finally {
      for (const courier of couriers) await courier.close();
      await receiver.stop();
      await database.drop();
    }
  });
});

const postgres = testDatabases().find((d) => d.name === 'postgres');

describe.runIf(postgres)('two HTTP workers over one PostgreSQL database', () => {
  it('deliver 100 queued messages with none lost and none sent twice', { timeout: 60_000 }, async () => {
    const created = await postgres!.create();
    const receiver = await startHttpReceiver();
    const databases = [await openDatabase(parseDsn(created.dsn)), await openDatabase(parseDsn(created.dsn))];
    const couriers: Courier[] = [];
    try {
      await databases[0]!.migrate();
      for (const database of databases) {
        const document = httpCourier({ url: `${receiver.url}/bulk` });
        couriers.push(
          await createCourier({ config: { document, dev: false }, database, logger: silentLogger() }),
        );
      }
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        ids.push(await queueVerificationCode(couriers[0]!, databases[0]!, `bulk-${i}@example.com`, '654321'));
      }
      const workers = couriers.map((c) => c.startWorker({ ...FAST_WORKER, batchSize: 10, concurrency: 4 }));
      await receiver.waitFor('/bulk', 100, 45_000);
      await new Promise((r) => setTimeout(r, 500));
      await Promise.all(workers.map((w) => w.stop()));

      const keys = receiver.to('/bulk').map((r) => header(r.headers['idempotency-key']));
      expect(keys).toHaveLength(100);
      expect([...keys].sort()).toEqual([...ids].sort());
      const counts = await databases[0]!.db
        .selectFrom('courier_messages')
        .select(['status', 'send_count', 'channel'])
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .groupBy(['status', 'send_count', 'channel'])
        .execute();
      expect(counts.map((c) => [c.status, Number(c.send_count), c.channel, Number(c.n)])).toEqual([
        ['sent', 1, 'http', 100],
      ]);
    } finally {
      for (const courier of couriers) await courier.close();
      for (const database of databases) await database.close();
      await receiver.stop();
      await created.drop();
    }
  });
});

describe.each(testDatabases())('verification by email over HTTP, through the server ($name)', (db) => {
  it('registration sends the code to the HTTP API and the code verifies the address', async () => {
    const created = await db.create();
    const receiver = await startHttpReceiver();
    const server = await startTestServer({
      dsn: created.dsn,
      watchCourier: true,
      extraConfig: {
        courier: {
          delivery_strategy: 'http',
          worker: { pull_wait: '50ms' },
          http: {
            request_config: {
              url: `${receiver.url}/send`,
              body: base64Url(MIRROR_TEMPLATE),
              auth: {
                type: 'api_key',
                config: { name: 'Authorization', value: 'Bearer t0ken', in: 'header' },
              },
            },
          },
        },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            registration: { after: { password: { hooks: [{ hook: 'show_verification_ui' }] } } },
            verification: { enabled: true, use: 'code' },
          },
        },
      },
    });
    try {
      expect(server.registry.courier.channel).toBe('http');
      const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
      const email = 'hopper@example.test';
      const { data: flow } = await frontend.createNativeRegistrationFlow();
      const { data: registered } = await frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: { email, fullname: 'Grace Hopper', phone_number: 5550100, user_type: 'educator' },
          password: 'correct horse battery staple',
        },
      });
      const show = registered.continue_with?.find((c) => c.action === 'show_verification_ui') as
        | { flow: { id: string } }
        | undefined;

      const [request] = await receiver.waitFor('/send', 1);
      expect(request?.headers.authorization).toBe('Bearer t0ken');
      const body = JSON.parse(request?.body ?? '') as { to: string; kind: string; text: string };
      expect(body).toMatchObject({ to: email, kind: 'verification_code_valid' });
      const code = /\b(\d{6})\b/.exec(body.text)?.[1] ?? '';

      const { data: verified } = await frontend.updateVerificationFlow({
        flow: show?.flow.id ?? '',
        updateVerificationFlowBody: { method: 'code', code },
      });
      expect(verified.state).toBe('passed_challenge');
    } finally {
      await server.close();
      await receiver.stop();
      await created.drop();
    }
  });
});

describe.each(testDatabases())('template data of real messages over HTTP ($name)', (db) => {
  it("carries the flow's request_url and the step's transient_payload, as Kratos's template models", async () => {
    const created = await db.create();
    const receiver = await startHttpReceiver();
    // Reads both without a guard: the start check passes only if every message has them.
    const template = `function(ctx) {
  kind: ctx.template_type,
  to: ctx.recipient,
  request_url: ctx.template_data.request_url,
  transient_payload: ctx.template_data.transient_payload,
}
`;
    const server = await startTestServer({
      dsn: created.dsn,
      watchCourier: true,
      extraConfig: {
        courier: {
          delivery_strategy: 'http',
          worker: { pull_wait: '50ms' },
          http: { request_config: { url: `${receiver.url}/send`, body: base64Url(template) } },
        },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: {
            verification: { enabled: true, use: 'code' },
            recovery: { enabled: true, use: 'code', notify_unknown_recipients: true },
          },
        },
      },
    });
    type Sent = { kind: string; to: string; request_url: string; transient_payload: unknown };
    const sentTo = async (count: number) =>
      (await receiver.waitFor('/send', count)).map((r) => JSON.parse(r.body) as Sent);
    try {
      const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
      const email = 'lamarr@example.test';
      // Registration: the verification message carries the registration step's payload.
      const { data: registration } = await frontend.createNativeRegistrationFlow();
      await frontend.updateRegistrationFlow({
        flow: registration.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: { email, fullname: 'Hedy Lamarr', phone_number: 5550101, user_type: 'educator' },
          password: 'correct horse battery staple',
          transient_payload: { campaign: 'spring' },
        },
      });
      const [afterRegistration] = await sentTo(1);
      expect(afterRegistration).toEqual({
        kind: 'verification_code_valid',
        to: email,
        request_url: registration.request_url,
        transient_payload: { campaign: 'spring' },
      });

      // Verification asked for again, with a payload of its own.
      const { data: verification } = await frontend.createNativeVerificationFlow();
      await frontend.updateVerificationFlow({
        flow: verification.id,
        updateVerificationFlowBody: { method: 'code', email, transient_payload: { step: 'verify' } },
      });
      expect((await sentTo(2))[1]).toEqual({
        kind: 'verification_code_valid',
        to: email,
        request_url: verification.request_url,
        transient_payload: { step: 'verify' },
      });

      // Recovery of a known address, and of an unknown one (notify_unknown_recipients).
      const { data: recovery } = await frontend.createNativeRecoveryFlow();
      await frontend.updateRecoveryFlow({
        flow: recovery.id,
        updateRecoveryFlowBody: { method: 'code', email, transient_payload: { step: 'recover' } },
      });
      expect((await sentTo(3))[2]).toEqual({
        kind: 'recovery_code_valid',
        to: email,
        request_url: recovery.request_url,
        transient_payload: { step: 'recover' },
      });
      const { data: unknown } = await frontend.createNativeRecoveryFlow();
      await frontend.updateRecoveryFlow({
        flow: unknown.id,
        updateRecoveryFlowBody: { method: 'code', email: 'nobody@example.test' },
      });
      // Without a payload: an empty object, as Kratos's ParseRawMessageOrEmpty gives.
      expect((await sentTo(4))[3]).toEqual({
        kind: 'recovery_code_invalid',
        to: 'nobody@example.test',
        request_url: unknown.request_url,
        transient_payload: {},
      });
    } finally {
      await server.close();
      await receiver.stop();
      await created.drop();
    }
  });
});
