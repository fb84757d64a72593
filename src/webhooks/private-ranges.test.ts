import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockingHookDeps, sampleHookContext, useWebHookClient } from '../../test/support/web-hook-client.js';
import { createSecretCipher } from '../kernel/cipher.js';
import { createOutboundHttp } from '../kernel/http-client.js';
import { silentLogger } from '../kernel/logger.js';
import { captureLogs } from '../kernel/testing/log-capture.js';
import type { Database } from '../persistence/database.js';
import { testEngines } from '../persistence/testing/engines.js';
import { parseWebHookConfig } from '../selfservice/hooks/web-hook/config.js';
import { executeWebHook } from '../selfservice/hooks/web-hook/execute.js';
import { createWebhookOutbox, type WebhookDelivery, type WebhookOutbox } from './outbox/index.js';
import { givingUpDetail, sendResilient } from './resilient.js';

/**
 * Web hooks whose target resolves to a private address while
 * `clients.http.disallow_private_ip_ranges` is on: Kratos's client retries the refused dial like
 * any other, and the answer the person gets names neither the address nor its range.
 */

const ctx = sampleHookContext;

/** The receiver's port: `localhost` (resolved by the system to 127.0.0.1) names it too. */
const portOf = (url: string) => new URL(url).port;

describe('a blocking web hook to a private address', () => {
  const client = useWebHookClient();
  const blocked = createOutboundHttp({ disallowPrivateIpRanges: true });
  /** The server's log lines. */
  const { logger, lines: logged } = captureLogs();
  const deps = blockingHookDeps({ ...client.deps, logger, http: blocked });
  afterAll(() => blocked.close());

  it('is tried three times, as Kratos, and answers 500 without the address or its range', async () => {
    const origin = `http://localhost:${portOf(client.receiver.url)}`;
    const config = parseWebHookConfig({
      url: `${origin}/private`,
      method: 'POST',
      response: { parse: true },
    });
    const outcome = await executeWebHook(deps, config, ctx, 'test');
    if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${outcome.kind}`);
    // The body the error handler sends (toJSON): herodot's plain error, no id, no reason.
    const body = outcome.error.toJSON();
    expect(body).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        message: `POST ${origin} giving up after 3 attempt(s): prohibited IP address`,
      },
    });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|loopback/);
    expect(client.receiver.to('/private')).toHaveLength(0);
    // The operator's log keeps what the answer leaves out.
    const failed = logged.find((line) => line.msg === 'web hook request failed');
    expect(failed?.detail).toMatch(/127\.0\.0\.1 \(loopback\)/);
  });

  it('retries a literal private IP too, and keeps the address and range for the log', async () => {
    const url = `${client.receiver.url}/literal`;
    const request = { url, method: 'POST' };
    const sent = await sendResilient(blocked, request, {
      maxRetries: 2,
      attemptTimeoutMs: 5_000,
      waitMinMs: 1,
      waitMaxMs: 1,
    });
    expect(sent).toMatchObject({ kind: 'error', attempts: 3 });
    if (sent.kind === 'response') throw new Error('expected no answer');
    expect(givingUpDetail(request, sent)).toContain('127.0.0.1 (loopback)');
    expect(client.receiver.to('/literal')).toHaveLength(0);
  });
});

describe.each(testEngines())('a queued web hook to a private address ($name)', (engine) => {
  const client = useWebHookClient();
  const blocked = createOutboundHttp({ disallowPrivateIpRanges: true });
  const cipher = createSecretCipher([], ['a-test-secret-that-is-long-enough']);
  let database: Database & { drop(): Promise<void> };
  let outbox: WebhookOutbox;

  beforeAll(async () => {
    database = await engine.open();
    outbox = createWebhookOutbox({ database, http: blocked, logger: silentLogger(), cipher });
  });
  afterEach(() => outbox.close());
  afterAll(async () => {
    await blocked.close();
    await database.drop();
  });

  async function until(id: string, done: (d: WebhookDelivery) => boolean): Promise<WebhookDelivery> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const delivery = await outbox.get(id);
      if (delivery && done(delivery)) return delivery;
      if (Date.now() > deadline) throw new Error(`delivery ${id}: ${JSON.stringify(delivery)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('is retried like a connection error, then abandoned; the record names no address', async () => {
    const { id } = await outbox.enqueue(database.db, {
      url: `http://localhost:${portOf(client.receiver.url)}/queued`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      name: 'registration.after.hooks[0]',
    });
    outbox.startWorker({ pollIntervalMs: 10, baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 });
    const abandoned = await until(id, (d) => d.status === 'abandoned');
    expect(abandoned).toMatchObject({ attempts: 3, last_error: 'blocked_address' });
    expect(client.receiver.to('/queued')).toHaveLength(0);
  });
});
