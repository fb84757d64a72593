import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, type KratosConfigDocument } from '../config/index.js';
import { silentLogger } from '../kernel/logger.js';
import { type Database, openDatabase } from '../persistence/database.js';
import { type Courier, createCourier } from './index.js';

function documentWith(courier: Record<string, unknown> | undefined): KratosConfigDocument {
  return {
    dsn: 'memory',
    identity: { schemas: [] },
    selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
    ...(courier === undefined ? {} : { courier }),
  };
}

describe('courier', () => {
  let database: Database;
  let courier: Courier | undefined;

  beforeEach(async () => {
    database = await openDatabase({ kind: 'sqlite', filename: ':memory:' });
    await database.migrate();
  });
  afterEach(async () => {
    await courier?.close();
    courier = undefined;
    await database.close();
  });

  const build = (courierKeys: Record<string, unknown> | undefined, dev: boolean) =>
    createCourier({ config: { document: documentWith(courierKeys), dev }, database, logger: silentLogger() });

  it('queues a rendered message inside the caller’s transaction', async () => {
    courier = await build(undefined, true);
    const { id } = await database.db.transaction().execute((trx) =>
      courier!.queueMessage(trx, {
        recipient: 'ada@example.com',
        template: 'verification_code_valid',
        data: { To: 'ada@example.com', VerificationCode: '482915', ExpiresInMinutes: 10 },
      }),
    );
    const message = await courier.getMessage(id);
    expect(message).toMatchObject({
      status: 'queued',
      recipient: 'ada@example.com',
      template_type: 'verification_code_valid',
      subject: 'Please verify your email address',
      send_count: 0,
    });
    expect(message?.body).toContain('482915');
    expect(message?.html_body).toContain('482915');
  });

  it('with --dev and no SMTP server, delivers to the dev inbox', async () => {
    courier = await build(undefined, true);
    expect(courier.channel).toBe('inbox');
    const { id } = await courier.queueMessage(database.db, {
      recipient: 'grace@example.com',
      template: 'recovery_code_invalid',
      data: { To: 'grace@example.com' },
    });
    const worker = courier.startWorker({ pollIntervalMs: 10 });
    const deadline = Date.now() + 5_000;
    while ((await courier.getMessage(id))?.status !== 'sent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await worker.stop();
    expect(await courier.getMessage(id)).toMatchObject({ status: 'sent', channel: 'inbox' });
    const page = await courier.listMessages({ status: 'sent', pageSize: 10 });
    expect(page.messages.map((m) => m.id)).toEqual([id]);
  });

  it('outside --dev, refuses to start a worker with nothing to deliver through', async () => {
    courier = await build(undefined, false);
    expect(courier.channel).toBeUndefined();
    expect(() => courier!.startWorker()).toThrow(ConfigError);
    // Queueing still works: a worker elsewhere (portcullis courier watch) delivers.
    await courier.queueMessage(database.db, {
      recipient: 'a@example.com',
      template: 'verification_invalid',
      data: { To: 'a@example.com' },
    });
  });

  it('delivers over HTTP with delivery_strategy http, in --dev too, and needs a URL for it', async () => {
    const http = { url: 'http://127.0.0.1:9/mail' };
    courier = await build({ delivery_strategy: 'http', http: { request_config: http } }, true);
    expect(courier.channel).toBe('http');
    await courier.close();
    courier = undefined;
    await expect(build({ delivery_strategy: 'http' }, false)).rejects.toThrow(
      /courier\.http\.request_config\.url/,
    );
  });

  it('refuses broken templates at start', async () => {
    await expect(
      build({ templates: { recovery: { valid: { email: { subject: 'base64://e3sjaWZ9fQ==' } } } } }, false),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
