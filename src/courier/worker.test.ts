import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../kernel/logger.js';
import { type Database, openDatabase } from '../persistence/database.js';
import type { Channel, DeliveryResult, OutgoingEmail } from './channels/channel.js';
import { createMessageStore, type MessageStore } from './message-store.js';
import type { CourierMessageWithDispatches } from './model.js';
import { type CourierWorker, retryDelayMs, startWorker, type WorkerSettings } from './worker.js';

const SETTINGS: WorkerSettings = {
  pollIntervalMs: 10,
  batchSize: 10,
  concurrency: 2,
  leaseMs: 5_000,
  sendTimeoutMs: 1_000,
  maxAttempts: 3,
  backoff: { baseMs: 20, maxMs: 1_000 },
  stopGraceMs: 1_000,
};

type Step = DeliveryResult | 'hang';

/** A channel that answers from a script (then succeeds), and remembers what it was given. */
function scriptedChannel(script: Step[] = []): Channel & { sent: OutgoingEmail[]; started: number } {
  const sent: OutgoingEmail[] = [];
  const channel = {
    id: 'smtp' as const,
    sent,
    started: 0,
    async deliver(email: OutgoingEmail, signal: AbortSignal): Promise<DeliveryResult> {
      channel.started++;
      const step = script.shift() ?? { ok: true };
      if (step === 'hang') {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return { ok: false, error: { code: 'EABORT', message: 'aborted', permanent: false } };
      }
      if (step.ok) sent.push(email);
      return step;
    },
    async close() {},
  };
  return channel;
}

const transient: DeliveryResult = {
  ok: false,
  error: { code: 'EENVELOPE', message: '451 try later', response_code: 451, permanent: false },
};
const permanent: DeliveryResult = {
  ok: false,
  error: { code: 'EENVELOPE', message: '550 no such user', response_code: 550, permanent: true },
};

describe('courier worker', () => {
  let database: Database;
  let store: MessageStore;
  let worker: CourierWorker | undefined;

  beforeEach(async () => {
    database = await openDatabase({ kind: 'sqlite', filename: ':memory:' });
    await database.migrate();
    store = createMessageStore(database.db, database.engine);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await database.close();
  });

  async function queue(n = 1): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID());
    for (const id of ids) {
      await store.insert(
        database.db,
        {
          id,
          recipient: 'a@example.com',
          subject: 's',
          body: 'b',
          html_body: null,
          template_type: 'recovery_valid',
        },
        new Date(),
      );
    }
    return ids;
  }

  function run(channel: Channel, settings: Partial<WorkerSettings> = {}): CourierWorker {
    worker = startWorker(
      {
        store,
        channels: { email: channel, sms: undefined },
        logger: silentLogger(),
        owner: `w-${randomUUID()}`,
        now: () => new Date(),
      },
      { ...SETTINGS, ...settings },
    );
    return worker;
  }

  async function until(id: string, done: (m: CourierMessageWithDispatches) => boolean) {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const message = await store.get(id);
      if (message && done(message)) return message;
      if (Date.now() > deadline) throw new Error(`message ${id} is ${message?.status}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('delivers queued messages and records one successful dispatch each', async () => {
    const ids = await queue(3);
    const channel = scriptedChannel();
    run(channel);
    for (const id of ids) {
      const message = await until(id, (m) => m.status === 'sent');
      expect(message).toMatchObject({ channel: 'smtp', send_count: 1, lease_owner: null });
      expect(message.dispatches.map((d) => d.status)).toEqual(['success']);
    }
    expect(channel.sent.map((m) => m.id).sort()).toEqual([...ids].sort());
  });

  it('retries transient failures with back-off, then delivers', async () => {
    const [id] = await queue();
    run(scriptedChannel([transient, transient]));
    const message = await until(id!, (m) => m.status === 'sent');
    expect(message.send_count).toBe(3);
    // Newest first, as Kratos loads them.
    expect(message.dispatches.map((d) => d.status)).toEqual(['success', 'failed', 'failed']);
    expect(message.dispatches[2]?.error).toMatchObject({ code: 'EENVELOPE', response_code: 451 });
    // The second attempt waited the first back-off step at least.
    const gap = message.dispatches[1]!.created_at.getTime() - message.dispatches[2]!.created_at.getTime();
    expect(gap).toBeGreaterThanOrEqual(SETTINGS.backoff.baseMs);
  });

  it('abandons after maxAttempts transient failures', async () => {
    const [id] = await queue();
    run(scriptedChannel([transient, transient, transient]));
    const message = await until(id!, (m) => m.status === 'abandoned');
    expect(message.send_count).toBe(SETTINGS.maxAttempts);
    expect(message.dispatches.map((d) => d.status)).toEqual(['failed', 'failed', 'failed']);
  });

  it('abandons at once when the server refuses for good (5xx)', async () => {
    const [id] = await queue();
    run(scriptedChannel([permanent]));
    const message = await until(id!, (m) => m.status === 'abandoned');
    expect(message.send_count).toBe(1);
    expect(message.dispatches.at(-1)?.error).toMatchObject({ response_code: 550, permanent: true });
  });

  it('records a send that outlives its deadline as a timeout and retries it', async () => {
    const [id] = await queue();
    run(scriptedChannel(['hang']), { sendTimeoutMs: 50 });
    const message = await until(id!, (m) => m.status === 'sent');
    expect(message.dispatches.at(-1)?.error).toMatchObject({ code: 'ETIMEDOUT', permanent: false });
  });

  it('abandons a message whose workers died mid-send too often', async () => {
    const [id] = await queue();
    // maxAttempts claims whose leases ran out: the workers that held them never came back.
    const base = Date.now() + 10;
    for (const [i, owner] of ['dead-1', 'dead-2', 'dead-3'].entries()) {
      expect(await store.claim({ owner, limit: 1, leaseMs: 1, now: new Date(base + i * 10) })).toHaveLength(
        1,
      );
    }
    const channel = scriptedChannel();
    run(channel);
    const message = await until(id!, (m) => m.status === 'abandoned');
    expect(message.dispatches.at(-1)?.error).toMatchObject({ code: 'attempts_exhausted' });
    expect(channel.started).toBe(0);
  });

  it('on stop, aborts a hanging send after the grace period and gives the message back', async () => {
    const [id] = await queue();
    const channel = scriptedChannel(['hang']);
    const running = run(channel, { stopGraceMs: 50, sendTimeoutMs: 60_000 });
    await until(id!, (m) => m.status === 'processing');
    while (channel.started === 0) await new Promise((r) => setTimeout(r, 5));
    await running.stop();
    worker = undefined;
    const message = await store.get(id!);
    expect(message).toMatchObject({ status: 'queued', send_count: 1, lease_owner: null, dispatches: [] });
  });

  it('on stop, gives back claimed messages it had not begun, without counting an attempt', async () => {
    const ids = await queue(3);
    const channel = scriptedChannel(['hang']);
    const running = run(channel, { concurrency: 1, stopGraceMs: 50 });
    while (channel.started === 0) await new Promise((r) => setTimeout(r, 5));
    await running.stop();
    worker = undefined;
    const messages = await Promise.all(ids.map((id) => store.get(id)));
    expect(messages.map((m) => m?.status)).toEqual(['queued', 'queued', 'queued']);
    expect(messages.map((m) => m?.send_count).sort()).toEqual([0, 0, 1]);
  });

  it('never sends a message twice when a batch outlasts its lease (two workers)', async () => {
    // The security review's case: one worker leases the whole batch, then works through it
    // one message after another; by the fourth message the batch's lease has run out and
    // the other worker has claimed the rest.
    const ids = await queue(6);
    const calls = new Map<string, number>();
    // Every send takes 150 ms and succeeds: it ignores its signal, so a slow test machine
    // cannot turn one into a timeout and a legitimate retry.
    const slow: Channel = {
      id: 'smtp',
      async deliver(email) {
        calls.set(email.id, (calls.get(email.id) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { ok: true };
      },
      async close() {},
    };
    const settings = { leaseMs: 400, sendTimeoutMs: 200, concurrency: 1, batchSize: 10 };
    const workers = [run(slow, settings), run(slow, settings)];
    worker = undefined;
    try {
      for (const id of ids) await until(id, (m) => m.status === 'sent');
      // Long enough for any stale lane to have sent again.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect([...calls.keys()].sort()).toEqual([...ids].sort());
    expect([...calls.values()]).toEqual(ids.map(() => 1));
    for (const id of ids) {
      const message = await store.get(id);
      expect(message?.dispatches.map((d) => d.status)).toEqual(['success']);
    }
  });

  it('on stop, gives back unbegun messages at once, while a send is still in flight', async () => {
    const ids = await queue(3);
    const channel = scriptedChannel(['hang']);
    const running = run(channel, { concurrency: 1, stopGraceMs: 1_000, sendTimeoutMs: 60_000 });
    while (channel.started === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = running.stop();
    worker = undefined;
    const given = await Promise.all(ids.slice(1).map((id) => until(id, (m) => m.status === 'queued')));
    // Well before the grace period ends, the two messages are free for another worker.
    expect((await store.get(ids[0]!))?.status).toBe('processing');
    expect(given.map((m) => [m.send_count, m.lease_owner])).toEqual([
      [0, null],
      [0, null],
    ]);
    await stopped;
    expect((await store.get(ids[0]!))?.status).toBe('queued');
  });

  it('on stop during the lease renewal before a send, gives the message back unsent', async () => {
    const [id] = await queue();
    const channel = scriptedChannel();
    // The real store, with the renewal held until the test lets it go.
    let renewing: () => void = () => {};
    const renewed = new Promise<void>((resolve) => {
      renewing = resolve;
    });
    let letGo: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    const held: MessageStore = {
      ...store,
      async renew(...args) {
        renewing();
        await gate;
        return store.renew(...args);
      },
    };
    const running = startWorker(
      {
        store: held,
        channels: { email: channel, sms: undefined },
        logger: silentLogger(),
        owner: 'w-held',
        now: () => new Date(),
      },
      SETTINGS,
    );
    await renewed;
    const stopped = running.stop();
    letGo();
    await stopped;
    expect(channel.started).toBe(0);
    expect(await store.get(id!)).toMatchObject({ status: 'queued', send_count: 0, lease_owner: null });
  });

  it('doubles the retry delay up to its cap', () => {
    const backoff = { baseMs: 15_000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, backoff))).toEqual([
      15_000, 30_000, 60_000, 60_000, 60_000,
    ]);
  });
});
