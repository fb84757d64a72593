import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSecretCipher } from '../../kernel/cipher.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../kernel/http-client.js';
import { silentLogger } from '../../kernel/logger.js';
import { type Database, openDatabase } from '../../persistence/database.js';
import { parseDsn } from '../../persistence/dsn.js';
import { testEngines } from '../../persistence/testing/engines.js';
import {
  createWebhookOutbox,
  type WebhookDelivery,
  type WebhookOutbox,
  type WorkerOverrides,
} from './index.js';
import { createDeliveryStore } from './store.js';

const cipher = createSecretCipher([], ['a-test-secret-that-is-long-enough']);

/** Fast timings so retries happen within a test. */
const FAST: WorkerOverrides = {
  pollIntervalMs: 10,
  baseDelayMs: 20,
  maxDelayMs: 200,
  requestTimeoutMs: 1_000,
};

type Step = number | 'hang';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver that answers from a script (then 200) and records every call. */
class Receiver {
  readonly received: Received[] = [];
  script: Step[] = [];
  /** Calls left hanging (`'hang'`). */
  pending = 0;
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const step = this.script.shift() ?? 200;
        if (step === 'hang') {
          this.pending++;
          return;
        }
        this.received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(step, { 'content-type': 'text/plain' });
        res.end('thanks');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each(testEngines())('web hook outbox worker ($name)', (engine) => {
  let database: Database & { drop(): Promise<void> };
  let http: OutboundHttpClient;
  let outbox: WebhookOutbox;
  let receiver: Receiver;
  const extra: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    database = await engine.open();
    http = createOutboundHttp({ disallowPrivateIpRanges: false });
  });
  beforeEach(async () => {
    await database.db.deleteFrom('webhook_deliveries').execute();
    outbox = createWebhookOutbox({ database, http, logger: silentLogger(), cipher });
    receiver = await new Receiver().start();
  });
  afterEach(async () => {
    await outbox.close();
    for (const e of extra.splice(0).reverse()) await e.close();
    await receiver.stop();
  });
  afterAll(async () => {
    await http.close();
    await database.drop();
  });

  async function until(
    id: string,
    done: (d: WebhookDelivery) => boolean,
    from: Pick<WebhookOutbox, 'get'> = outbox,
  ): Promise<WebhookDelivery> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const delivery = await from.get(id);
      if (delivery && done(delivery)) return delivery;
      if (Date.now() > deadline) throw new Error(`delivery ${id}: ${JSON.stringify(delivery)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const enqueue = (url = receiver.url(), body: string | null = '{"email":"ada@example.com"}') =>
    outbox.enqueue(database.db, {
      url,
      method: 'post',
      headers: { 'content-type': 'application/json', 'x-api-key': 'secret-key' },
      body,
      name: 'registration.after.hooks[0]',
    });

  it('delivers a queued call once, exactly as queued', async () => {
    const { id } = await enqueue(receiver.url('/hook?list=educators'));
    outbox.startWorker(FAST);
    const delivered = await until(id, (d) => d.status === 'delivered');
    expect(delivered).toMatchObject({ attempts: 1, last_error: null, lease_owner: null });
    // Another poll or two must not send it again.
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      method: 'POST',
      url: '/hook?list=educators',
      body: '{"email":"ada@example.com"}',
      headers: { 'content-type': 'application/json', 'x-api-key': 'secret-key' },
    });
  });

  it('delivers a call queued in a transaction only once it commits', async () => {
    outbox.startWorker(FAST);
    const { id } = await database.db.transaction().execute(async (trx) => {
      const queued = await outbox.enqueue(trx, {
        url: receiver.url(),
        method: 'PUT',
        headers: {},
        body: null,
        name: 'settings.after.hooks[0]',
      });
      await new Promise((r) => setTimeout(r, 50));
      return queued;
    });
    await until(id, (d) => d.status === 'delivered');
    expect(receiver.received.map((r) => [r.method, r.body])).toEqual([['PUT', '']]);
  });

  it('retries a receiver that fails twice (500), then delivers', async () => {
    receiver.script = [500, 500];
    const { id } = await enqueue();
    outbox.startWorker(FAST);
    const delivered = await until(id, (d) => d.status === 'delivered');
    expect(delivered.attempts).toBe(3);
    expect(receiver.received.map((r) => r.body)).toEqual(Array(3).fill('{"email":"ada@example.com"}'));
  });

  it('retries 429 and timeouts too', async () => {
    receiver.script = [429, 'hang'];
    const { id } = await enqueue();
    outbox.startWorker({ ...FAST, requestTimeoutMs: 100 });
    const delivered = await until(id, (d) => d.status === 'delivered');
    expect(delivered.attempts).toBe(3);
  });

  it('delivers to a receiver that is down, once it is up again', async () => {
    const port = receiver.port;
    await receiver.stop();
    const { id } = await enqueue(`http://127.0.0.1:${port}/hook`);
    outbox.startWorker(FAST);
    const failing = await until(id, (d) => d.attempts >= 2 && d.status === 'queued');
    expect(failing.last_error).toBe('connection ECONNREFUSED');
    await receiver.start(port);
    const delivered = await until(id, (d) => d.status === 'delivered');
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(receiver.received).toHaveLength(1);
  });

  it('abandons at once on a 4xx other than 429', async () => {
    receiver.script = [400];
    const { id } = await enqueue();
    outbox.startWorker(FAST);
    const abandoned = await until(id, (d) => d.status === 'abandoned');
    expect(abandoned).toMatchObject({ attempts: 1, last_error: 'status 400' });
  });

  it('abandons after the last attempt', async () => {
    receiver.script = [503, 503, 503];
    const { id } = await enqueue();
    outbox.startWorker({ ...FAST, maxAttempts: 3 });
    const abandoned = await until(id, (d) => d.status === 'abandoned');
    expect(abandoned).toMatchObject({ attempts: 3, last_error: 'status 503' });
  });

  it('picks up a delivery whose worker died mid-call once the lease expires', async () => {
    const { id } = await enqueue();
    // A worker claims it and dies: nothing settles the lease.
    const store = createDeliveryStore(database.db, database.engine, cipher);
    await store.claim({ owner: 'dead-worker', limit: 10, leaseMs: 300, now: new Date() });
    outbox.startWorker(FAST);
    await new Promise((r) => setTimeout(r, 100));
    expect((await outbox.get(id))?.lease_owner).toBe('dead-worker');
    const delivered = await until(id, (d) => d.status === 'delivered');
    expect(delivered.attempts).toBe(2);
    expect(receiver.received).toHaveLength(1);
  });

  it('gives an in-flight call back on stop, and a later worker sends it', async () => {
    receiver.script = ['hang'];
    const { id } = await enqueue();
    const worker = outbox.startWorker({ ...FAST, stopGraceMs: 50, requestTimeoutMs: 5_000 });
    await until(id, (d) => d.status === 'processing');
    await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect(await outbox.get(id)).toMatchObject({ status: 'queued', attempts: 1, lease_owner: null });
    outbox.startWorker(FAST);
    expect((await until(id, (d) => d.status === 'delivered')).attempts).toBe(2);
  });

  it('gives back claimed deliveries it had not begun at once, while a call is still in flight', async () => {
    receiver.script = ['hang'];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await enqueue(receiver.url(`/hook/${i}`))).id);
    const worker = outbox.startWorker({
      ...FAST,
      concurrency: 1,
      stopGraceMs: 3_000,
      requestTimeoutMs: 10_000,
    });
    while (receiver.pending === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = worker.stop();
    // Well before the grace period ends, the two untried deliveries are free for another
    // worker, with no attempt counted; the hanging call's delivery is still leased.
    const all = async () => Promise.all(ids.map(async (id) => (await outbox.get(id))!));
    let deliveries = await all();
    while (deliveries.filter((d) => d.status === 'queued').length < 2) {
      await new Promise((r) => setTimeout(r, 10));
      deliveries = await all();
    }
    const hanging = deliveries.find((d) => d.status === 'processing');
    expect(hanging?.attempts).toBe(1);
    expect(deliveries.filter((d) => d.status === 'queued').map((d) => [d.attempts, d.lease_owner])).toEqual([
      [0, null],
      [0, null],
    ]);
    await stopped;
    expect(await outbox.get(hanging!.id)).toMatchObject({ status: 'queued', attempts: 1 });
  });

  it('never calls a receiver twice when a batch outlasts its lease (two workers)', async () => {
    // One worker leases the whole batch and works through it one call after another; by the
    // fourteenth call the batch's lease has run out and the other worker has claimed the rest.
    // Each call takes 150 ms and succeeds, well inside its timeout on a slow machine too.
    const answered = new Map<string, number>();
    const server = createServer((req, res) => {
      answered.set(req.url ?? '', (answered.get(req.url ?? '') ?? 0) + 1);
      setTimeout(() => res.end('thanks'), 150);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    extra.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    const port = (server.address() as AddressInfo).port;
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await enqueue(`http://127.0.0.1:${port}/hook/${i}`)).id);
    const settings = { ...FAST, leaseMs: 2_000, requestTimeoutMs: 1_000, concurrency: 1, batchSize: 16 };
    const otherOutbox = createWebhookOutbox({ database, http, logger: silentLogger(), cipher });
    extra.push(otherOutbox);
    outbox.startWorker(settings);
    otherOutbox.startWorker(settings);
    for (const id of ids) await until(id, (d) => d.status === 'delivered');
    // Long enough for any stale lane to have called again.
    await new Promise((r) => setTimeout(r, 500));
    expect([...answered.keys()].sort()).toEqual(ids.map((_, i) => `/hook/${i}`).sort());
    expect([...answered.values()]).toEqual(ids.map(() => 1));
  });

  it('lets two workers share the queue without sending any delivery twice', async () => {
    let other: Pick<Database, 'db' | 'engine'> = database;
    if (database.engine === 'postgres') {
      // A second process: its own connection pool on the same schema.
      const schema = await sql<{ s: string }>`select current_schema() as s`.execute(database.db);
      const second = await openDatabase(parseDsn(process.env.DATABASE_URL ?? ''), {
        pgSchema: schema.rows[0]?.s ?? '',
      });
      extra.push(second);
      other = second;
    }
    const otherOutbox = createWebhookOutbox({ database: other, http, logger: silentLogger(), cipher });
    extra.push(otherOutbox);
    const n = 40;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await enqueue(receiver.url(`/hook/${i}`))).id);
    outbox.startWorker({ ...FAST, batchSize: 3 });
    otherOutbox.startWorker({ ...FAST, batchSize: 3 });
    for (const id of ids) await until(id, (d) => d.status === 'delivered');
    const urls = receiver.received.map((r) => r.url);
    expect(urls).toHaveLength(n);
    expect(new Set(urls).size).toBe(n);
    const rows = await database.db
      .selectFrom('webhook_deliveries')
      .select(['attempts', 'lease_owner'])
      .execute();
    expect(rows.every((r) => Number(r.attempts) === 1)).toBe(true);
  });

  it('refuses a method that is not an HTTP token', async () => {
    await expect(
      outbox.enqueue(database.db, {
        url: receiver.url(),
        method: 'PO ST',
        headers: {},
        body: null,
        name: 'x',
      }),
    ).rejects.toThrow(TypeError);
  });
});
