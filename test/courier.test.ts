import { simpleParser } from 'mailparser';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Courier, type CourierWorker, createCourier } from '../src/courier/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { type Database, openDatabase } from '../src/persistence/database.js';
import { parseDsn } from '../src/persistence/dsn.js';
import { testEngines } from '../src/persistence/testing/engines.js';
import { courierDocument, eventually, FAST_WORKER } from './support/courier-direct.js';
import { testDatabases } from './support/databases.js';
import { freePort } from './support/ports.js';
import { startTestServer } from './support/server.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';

function smtpConfig(smtp: TestSmtpServer): Record<string, unknown> {
  return {
    smtp: {
      connection_uri: smtp.connectionUri,
      from_address: 'auth@example.com',
      from_name: 'Portcullis Test',
      headers: { 'X-Portcullis-Test': 'yes' },
    },
  };
}

async function queueCodes(
  courier: Courier,
  database: Database,
  n: number,
  prefix = 'user',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const recipient = `${prefix}-${i}@example.com`;
    const { id } = await database.db.transaction().execute((trx) =>
      courier.queueMessage(trx, {
        recipient,
        template: 'verification_code_valid',
        data: {
          To: recipient,
          VerificationCode: String(100000 + i),
          VerificationURL: 'https://example.com/v',
        },
      }),
    );
    ids.push(id);
  }
  return ids;
}

const messageIds = (smtp: TestSmtpServer) => smtp.messages.map((m) => m.messageId);

describe.each(testEngines())('courier over SMTP ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let smtp: TestSmtpServer;
  let courier: Courier;
  let worker: CourierWorker | undefined;

  beforeAll(async () => {
    database = await engine.open();
    smtp = await startSmtpServer();
    courier = await createCourier({
      config: { document: courierDocument(smtpConfig(smtp)), dev: false },
      database,
      logger: silentLogger(),
    });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    smtp.messages.length = 0;
    smtp.accept();
  });
  afterAll(async () => {
    await courier.close();
    await smtp.stop();
    await database.drop();
  });

  it('delivers a queued message with the configured sender, headers and a stable Message-ID', async () => {
    const [id] = await queueCodes(courier, database, 1, 'ada');
    worker = courier.startWorker(FAST_WORKER);
    const [mail] = await smtp.waitFor(1);
    expect(mail).toMatchObject({
      messageId: `<${id}@example.com>`,
      from: '"Portcullis Test" <auth@example.com>',
      to: ['ada-0@example.com'],
      rcptTo: ['ada-0@example.com'],
      subject: 'Please verify your email address',
    });
    expect(mail?.headers.get('x-portcullis-test')).toBe('yes');
    expect(mail?.text).toContain('100000');
    expect(mail?.html).toContain('100000');
    await eventually(async () => (await courier.getMessage(id!))?.status === 'sent');
    expect(await courier.getMessage(id!)).toMatchObject({ channel: 'smtp', send_count: 1 });
  });

  it('lets courier.smtp.headers replace From and Subject, as Kratos sets them after its own', async () => {
    const overriding = await createCourier({
      config: {
        document: courierDocument({
          smtp: {
            connection_uri: smtp.connectionUri,
            from_address: 'auth@example.com',
            from_name: 'Portcullis Test',
            // Any case, as a header name is; Bcc keeps working as a header.
            headers: { from: 'Override <override@x.test>', SUBJECT: 'Overridden', Bcc: 'archive@x.test' },
          },
        }),
        dev: false,
      },
      database,
      logger: silentLogger(),
    });
    try {
      const [id] = await queueCodes(overriding, database, 1, 'override');
      worker = overriding.startWorker(FAST_WORKER);
      const [mail] = await smtp.waitFor(1);
      expect(mail).toMatchObject({
        from: '"Override" <override@x.test>',
        subject: 'Overridden',
        to: ['override-0@example.com'],
        rcptTo: ['archive@x.test', 'override-0@example.com'],
        // The Message-ID keeps the configured sender's domain: it must not change between attempts.
        messageId: `<${id}@example.com>`,
      });
      expect(mail?.text).toContain('100000');
      expect(mail?.headers.has('bcc')).toBe(false);
    } finally {
      await worker?.stop();
      worker = undefined;
      await overriding.close();
    }
  });

  it('delivers every message exactly once after the server refused mail, then went away', async () => {
    // First the server answers 451 (try later) to every message.
    smtp.refuse({ code: 451, message: 'greylisted' });
    const refused = await queueCodes(courier, database, 5, 'refused');
    worker = courier.startWorker(FAST_WORKER);
    const failedOnce = async (ids: string[]) =>
      (await Promise.all(ids.map((id) => courier.getMessage(id)))).every(
        (m) => (m?.dispatches.length ?? 0) >= 1,
      );
    await eventually(() => failedOnce(refused));
    smtp.accept();
    await smtp.waitFor(5);

    // Then the server is down altogether while more mail is queued.
    await smtp.stop();
    const unreachable = await queueCodes(courier, database, 5, 'unreachable');
    await eventually(() => failedOnce(unreachable));
    await smtp.start();
    await smtp.waitFor(10);

    // Nothing arrives twice, even after the queue has drained.
    await new Promise((r) => setTimeout(r, 300));
    const expected = [...refused, ...unreachable].map((id) => `<${id}@example.com>`);
    expect(messageIds(smtp).sort()).toEqual(expected.sort());
    for (const id of [...refused, ...unreachable]) {
      const message = await courier.getMessage(id);
      expect(message?.status).toBe('sent');
      // Newest first: the success, then the failures before it.
      expect(message?.dispatches[0]?.status).toBe('success');
      expect(message?.dispatches.slice(1).every((d) => d.status === 'failed')).toBe(true);
    }
  });

  it('abandons a message the server refuses for good (5xx) without retrying', async () => {
    smtp.refuse({ code: 550, message: 'no such mailbox' });
    const [id] = await queueCodes(courier, database, 1, 'gone');
    worker = courier.startWorker(FAST_WORKER);
    await eventually(async () => (await courier.getMessage(id!))?.status === 'abandoned');
    const message = await courier.getMessage(id!);
    expect(message?.send_count).toBe(1);
    expect(message?.dispatches[0]?.error).toMatchObject({ response_code: 550, permanent: true });
  });
});

/** A real SMTP server that takes `delayMs` to accept each message and counts them by Message-ID. */
async function startSlowSmtpServer(delayMs: number): Promise<{
  connectionUri: string;
  received: Map<string, number>;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const received = new Map<string, number>();
  const server = new SMTPServer({
    logger: false,
    secure: false,
    hideSTARTTLS: true,
    authOptional: true,
    closeTimeout: 100,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      void (async () => {
        const parsed = await simpleParser(stream);
        await new Promise((r) => setTimeout(r, delayMs));
        const id = parsed.messageId ?? 'none';
        received.set(id, (received.get(id) ?? 0) + 1);
        callback();
      })().catch((error: unknown) => callback(error as Error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    connectionUri: `smtp://127.0.0.1:${port}/?disable_starttls=true`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testEngines())('two workers whose batch outlasts its lease ($name)', (engine) => {
  it('send no message twice', { timeout: 30_000 }, async () => {
    // The security review's case: a worker leases a whole batch, but one lane sends it one
    // message after another (150 ms each), so the batch's 800 ms lease runs out while the
    // sixth message is in flight and the last two are still waiting; the other worker then
    // claims every message whose claim lease has expired.
    const database = await engine.open();
    const smtp = await startSlowSmtpServer(150);
    const couriers: Courier[] = [];
    try {
      const document = courierDocument({
        smtp: { connection_uri: smtp.connectionUri, from_address: 'auth@example.com' },
      });
      for (let i = 0; i < 2; i++) {
        couriers.push(
          await createCourier({ config: { document, dev: false }, database, logger: silentLogger() }),
        );
      }
      const ids = await queueCodes(couriers[0]!, database, 8, 'lease');
      const settings = { ...FAST_WORKER, pollIntervalMs: 20, leaseMs: 800, batchSize: 10, concurrency: 1 };
      const workers = couriers.map((c) => c.startWorker(settings));
      const sent = async () =>
        (await Promise.all(ids.map((id) => couriers[0]!.getMessage(id)))).every((m) => m?.status === 'sent');
      await eventually(sent);
      // Long enough for a stale lane to have sent again.
      await new Promise((r) => setTimeout(r, 1_000));
      await Promise.all(workers.map((w) => w.stop()));

      expect(Object.fromEntries(smtp.received)).toEqual(
        Object.fromEntries(ids.map((id) => [`<${id}@example.com>`, 1])),
      );
      for (const id of ids) {
        const message = await couriers[0]!.getMessage(id);
        expect(message?.dispatches.map((d) => d.status)).toEqual(['success']);
      }
    } finally {
      for (const courier of couriers) await courier.close();
      await smtp.stop();
      await database.drop();
    }
  });
});

const postgres = testDatabases().find((d) => d.name === 'postgres');

describe.runIf(postgres)('two workers over one PostgreSQL database', () => {
  it('deliver 200 queued messages with none lost and none sent twice', { timeout: 60_000 }, async () => {
    const created = await postgres!.create();
    const smtp = await startSmtpServer();
    const databases = [await openDatabase(parseDsn(created.dsn)), await openDatabase(parseDsn(created.dsn))];
    const couriers: Courier[] = [];
    // Each worker's log tells how many messages it sent.
    const sentBy = [0, 0];
    try {
      await databases[0]!.migrate();
      for (const [i, database] of databases.entries()) {
        const config = { document: courierDocument(smtpConfig(smtp)), dev: false };
        const logger = pino(
          { level: 'info' },
          {
            write(line: string) {
              if (line.includes('"courier message sent"')) sentBy[i]!++;
            },
          },
        );
        couriers.push(await createCourier({ config, database, logger }));
      }
      const ids = await queueCodes(couriers[0]!, databases[0]!, 200, 'bulk');
      const workers = couriers.map((c) =>
        c.startWorker({ ...FAST_WORKER, pollIntervalMs: 20, batchSize: 10, concurrency: 4 }),
      );
      await smtp.waitFor(200, 45_000);
      await new Promise((r) => setTimeout(r, 500));
      await Promise.all(workers.map((w) => w.stop()));

      const received = messageIds(smtp);
      expect(received).toHaveLength(200);
      expect(new Set(received).size).toBe(200);
      expect([...received].sort()).toEqual(ids.map((id) => `<${id}@example.com>`).sort());
      const counts = await databases[0]!.db
        .selectFrom('courier_messages')
        .select(['status', 'send_count'])
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .groupBy(['status', 'send_count'])
        .execute();
      expect(counts.map((c) => [c.status, Number(c.send_count), Number(c.n)])).toEqual([['sent', 1, 200]]);
      expect(sentBy[0]! + sentBy[1]!).toBe(200);
      expect(Math.min(...sentBy)).toBeGreaterThan(0);
    } finally {
      for (const courier of couriers) await courier.close();
      for (const database of databases) await database.close();
      await smtp.stop();
      await created.drop();
    }
  });
});

describe('admin courier API', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.stop();
  });

  it.each(testDatabases())('lists and gets messages as Kratos does ($name)', async (db) => {
    const created = await db.create();
    const server = await startTestServer({ dsn: created.dsn, extraConfig: { courier: smtpConfig(smtp) } });
    try {
      const { courier, database } = server.registry;
      const ids = await queueCodes(courier, database, 3, 'admin');
      const worker = courier.startWorker({ ...FAST_WORKER, batchSize: 1 });
      await eventually(async () => (await courier.getMessage(ids[0]!))?.status === 'sent');
      await worker.stop();

      const first = await fetch(`${server.adminUrl}/admin/courier/messages?page_size=2`);
      expect(first.status).toBe(200);
      const page1 = (await first.json()) as Record<string, unknown>[];
      expect(page1).toHaveLength(2);
      expect(page1[0]).toMatchObject({
        type: 'email',
        template_type: 'verification_code_valid',
        subject: 'Please verify your email address',
        // Outside --dev the body (which holds the code) is redacted, as in Kratos.
        body: '<redacted-unless-dev-mode>',
      });
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
      expect(next).toBeDefined();
      const page2 = (await (await fetch(new URL(next!, server.adminUrl))).json()) as { id: string }[];
      expect([...page1, ...page2].map((m) => m.id).sort()).toEqual([...ids].sort());

      const filtered = await fetch(
        `${server.adminUrl}/courier/messages?status=sent&recipient=admin-0%40example.com`,
      );
      expect(((await filtered.json()) as { id: string }[]).map((m) => m.id)).toEqual([ids[0]]);
      const invalid = await fetch(`${server.adminUrl}/admin/courier/messages?status=bogus`);
      expect(invalid.status).toBe(400);

      const one = await fetch(`${server.adminUrl}/admin/courier/messages/${ids[0]}`);
      expect(await one.json()).toMatchObject({
        id: ids[0],
        status: 'sent',
        channel: 'smtp',
        send_count: 1,
        recipient: 'admin-0@example.com',
        dispatches: [{ status: 'success', message_id: ids[0] }],
      });
      const missing = await fetch(
        `${server.adminUrl}/admin/courier/messages/00000000-0000-4000-8000-000000000000`,
      );
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 404, status: 'Not Found' } });
      expect((await fetch(`${server.adminUrl}/admin/courier/messages/not-a-uuid`)).status).toBe(400);
    } finally {
      await server.close();
      await created.drop();
    }
  });

  it.each(testDatabases())(
    "shows dispatches newest first, errors in herodot's shape, and none for an unsent message ($name)",
    async (db) => {
      const created = await db.create();
      const server = await startTestServer({ dsn: created.dsn, extraConfig: { courier: smtpConfig(smtp) } });
      try {
        const { courier, database } = server.registry;
        const [unsent] = await queueCodes(courier, database, 1, 'never');
        const never = (await (
          await fetch(`${server.adminUrl}/admin/courier/messages/${unsent}`)
        ).json()) as Record<string, unknown>;
        expect(never).toMatchObject({ id: unsent, status: 'queued', send_count: 0 });
        // Kratos's `dispatches,omitempty`: no key at all, not an empty list.
        expect('dispatches' in never).toBe(false);

        // The server refuses once (451, try later), then takes the message.
        smtp.refuse({ code: 451, message: 'greylisted' });
        await database.db.deleteFrom('courier_messages').where('id', '=', unsent!).execute();
        const [id] = await queueCodes(courier, database, 1, 'retried');
        const worker = courier.startWorker(FAST_WORKER);
        try {
          await eventually(async () => ((await courier.getMessage(id!))?.dispatches.length ?? 0) >= 1);
          smtp.accept();
          await eventually(async () => (await courier.getMessage(id!))?.status === 'sent');
        } finally {
          await worker.stop();
          smtp.accept();
        }
        const shown = (await (await fetch(`${server.adminUrl}/admin/courier/messages/${id}`)).json()) as {
          dispatches: Array<{ status: string; error?: Record<string, unknown> }>;
        };
        expect(shown.dispatches.map((d) => d.status)).toEqual(['success', 'failed']);
        expect('error' in shown.dispatches[0]!).toBe(false);
        expect(shown.dispatches[1]?.error).toEqual({
          code: 500,
          status: 'Internal Server Error',
          reason: 'failed to send email via smtp',
          details: { error_code: 'EENVELOPE', response_code: 451 },
          message: expect.stringContaining('greylisted'),
        });
        // Internal fields stay internal.
        expect(shown.dispatches[1]?.error).not.toHaveProperty('permanent');
      } finally {
        smtp.accept();
        await server.close();
        await created.drop();
      }
    },
  );

  it.each(testDatabases())(
    'pages by 10 unless told otherwise, as Kratos, and caps a page at 1000 ($name)',
    async (db) => {
      const created = await db.create();
      const server = await startTestServer({ dsn: created.dsn, extraConfig: { courier: smtpConfig(smtp) } });
      try {
        const { courier, database } = server.registry;
        const ids = await queueCodes(courier, database, 12, 'paged');
        const list = async (query: string) => {
          const response = await fetch(`${server.adminUrl}/admin/courier/messages${query}`);
          return {
            status: response.status,
            link: response.headers.get('link') ?? '',
            ids:
              response.status === 200 ? ((await response.json()) as { id: string }[]).map((m) => m.id) : [],
          };
        };
        const first = await list('');
        expect(first.ids).toHaveLength(10);
        expect(first.link).toContain('rel="next"');
        expect(first.link).toContain('page_size=10');
        const next = /<([^>]+)>; rel="next"/.exec(first.link)?.[1] ?? '';
        const rest = (await (await fetch(new URL(next, server.adminUrl))).json()) as { id: string }[];
        expect([...first.ids, ...rest.map((m) => m.id)].sort()).toEqual([...ids].sort());
        // 0 is the default, as ory/x's Paginator.Size.
        expect((await list('?page_size=0')).ids).toHaveLength(10);
        // Larger than the cap: served as 1000 (a deliberate difference: Kratos has no cap).
        const huge = await list('?page_size=1000000');
        expect(huge.ids).toHaveLength(12);
        expect(huge.link).toContain('page_size=1000');
        expect(huge.link).not.toContain('rel="next"');
        expect((await list('?page_size=-1')).status).toBe(400);
        expect((await list('?page_size=ten')).status).toBe(400);
      } finally {
        await server.close();
        await created.drop();
      }
    },
  );
});
