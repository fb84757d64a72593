/**
 * For tests that drive a courier directly, without a Portcullis around it: the config document
 * around its `courier` keys, worker settings fast enough for tests, a wait for what a worker does,
 * and the hooks of a suite whose couriers deliver to a real HTTP server on loopback.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { KratosConfigDocument } from '../../src/config/index.js';
import { type Courier, createCourier, type WorkerSettings } from '../../src/courier/index.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type { Database } from '../../src/persistence/database.js';
import type { TestEngine } from '../../src/persistence/testing/engines.js';
import { type HttpReceiver, startHttpReceiver } from './http-receiver.js';
import { need } from './suite-server.js';

/** Fast polling and back-off, so outages and retries take milliseconds. */
export const FAST_WORKER: Partial<WorkerSettings> = {
  pollIntervalMs: 20,
  backoff: { baseMs: 100, maxMs: 1_000 },
  stopGraceMs: 1_000,
};

/** A config document with these `courier` keys and nothing else a courier reads. */
export function courierDocument(courier: Record<string, unknown>): KratosConfigDocument {
  return {
    dsn: 'memory',
    identity: { schemas: [] },
    selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
    courier,
  };
}

/** A `base64://` URL of `source`, as a template or body is given inline in the config. */
export const base64Url = (source: string) => `base64://${Buffer.from(source).toString('base64')}`;

/**
 * A Jsonnet body with every field of Kratos's ctx under names of its own, to see exactly what the
 * template got; `has_html` tells an SMS (whose ctx has no `html_body`) from an email.
 */
export const MIRROR_TEMPLATE = `function(ctx) {
  to: ctx.recipient,
  kind: ctx.template_type,
  type: ctx.message_type,
  subject: ctx.subject,
  text: ctx.body,
  has_html: "html_body" in ctx,
  html: if "html_body" in ctx then ctx.html_body else null,
  data: ctx.template_data,
}
`;

/**
 * Queues the `verification_code_valid` message a verification flow sends `recipient` (by email,
 * or by SMS with `via`), with every field of Kratos's model set; resolves to its id.
 */
export async function queueVerificationCode(
  courier: Courier,
  database: Database,
  recipient: string,
  code: string,
  via: 'email' | 'sms' = 'email',
): Promise<string> {
  const { id } = await database.db.transaction().execute((trx) =>
    courier.queueMessage(trx, {
      via,
      recipient,
      template: 'verification_code_valid',
      data: {
        To: recipient,
        VerificationCode: code,
        // The flow always knows a link; an SMS carries none, as Kratos's SMS model has none.
        VerificationURL: 'https://example.com/v',
        ExpiresInMinutes: 15,
        RequestURL: 'https://auth.example.com/self-service/registration/api',
        TransientPayload: { locale: 'de' },
      },
    }),
  );
  return id;
}

/** Resolves once `probe` holds (a worker's sends are not awaited by the test); throws after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a `useCourierSuite` suite reads inside its tests. */
export interface CourierSuite {
  readonly database: Database & { drop(): Promise<void> };
  /** Where the couriers' HTTP channels deliver; its requests are forgotten after each test. */
  readonly receiver: HttpReceiver;
  /** A courier on the suite's database, closed after the test (which stops the workers it started). */
  courierFor(document: KratosConfigDocument, options?: { dev?: boolean; cwd?: string }): Promise<Courier>;
}

/**
 * Registers the hooks of a courier suite for the `describe` it is called in: in `beforeAll` a
 * fresh database of `engine` and the receiver, after each test its couriers closed, in `afterAll`
 * both gone.
 */
export function useCourierSuite(engine: TestEngine): CourierSuite {
  let database: (Database & { drop(): Promise<void> }) | undefined;
  let receiver: HttpReceiver | undefined;
  const couriers: Courier[] = [];

  beforeAll(async () => {
    database = await engine.open();
    receiver = await startHttpReceiver();
  });
  afterEach(async () => {
    for (const courier of couriers.splice(0)) await courier.close();
    if (receiver) receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver?.stop();
    await database?.drop();
  });

  return {
    get database() {
      return need(database, 'database');
    },
    get receiver() {
      return need(receiver, 'HTTP receiver');
    },
    async courierFor(document, { dev = false, cwd } = {}) {
      const courier = await createCourier({
        config: { document, dev },
        database: need(database, 'database'),
        logger: silentLogger(),
        cwd,
      });
      couriers.push(courier);
      return courier;
    },
  };
}
