/**
 * Kratos's web hook client as tests of its callers build it (the web hook, the password migration
 * hook): a real Jsonnet evaluator, outbound HTTP allowed to reach loopback, the template source,
 * Kratos's two retries without their waits, and a real HTTP receiver as the target.
 */
import { afterAll, beforeAll } from 'vitest';
import { createJsonnetEvaluator } from '../../src/jsonnet/evaluator.js';
import { createOutboundHttp } from '../../src/kernel/http-client.js';
import { silentLogger } from '../../src/kernel/logger.js';
import type { HookContext } from '../../src/selfservice/hooks/web-hook/context.js';
import type { WebHookDeps } from '../../src/selfservice/hooks/web-hook/execute.js';
import { createTemplateSource } from '../../src/selfservice/hooks/web-hook/templates.js';
import { type HttpReceiver, startHttpReceiver } from './http-receiver.js';

/** What a call through the client needs; a web hook's queue (`outbox`, `db`) is the caller's to add. */
export type WebHookClientDeps = Omit<WebHookDeps, 'outbox' | 'db'>;

export interface WebHookClientSuite {
  readonly deps: WebHookClientDeps;
  /** The target; read it inside a test or hook. */
  readonly receiver: HttpReceiver;
}

/**
 * The client's parts for the `describe` (or file) it is called in: the receiver started in
 * `beforeAll`; it, the outbound HTTP and the evaluator closed in `afterAll`.
 */
export function useWebHookClient(): WebHookClientSuite {
  const jsonnet = createJsonnetEvaluator({ workers: 1 });
  const http = createOutboundHttp({ disallowPrivateIpRanges: false });
  let receiver: HttpReceiver | undefined;
  const deps: WebHookClientDeps = {
    http,
    jsonnet,
    templates: createTemplateSource({ cwd: process.cwd(), http }),
    logger: silentLogger(),
    timeoutMs: 5_000,
    // Kratos's two retries, without its waits.
    retry: { maxRetries: 2, waitMinMs: 1, waitMaxMs: 1 },
  };
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
    await http.close();
    await jsonnet.close();
  });
  return {
    deps,
    get receiver() {
      // Not suite-server's need(): importing it would load the whole app into unit tests.
      if (receiver === undefined) throw new Error('no web hook receiver: read it inside a test or hook');
      return receiver;
    },
  };
}

/** Parts a blocking hook never reaches (only `response.ignore` queues): touching one fails the test. */
const unused = new Proxy(
  {},
  {
    get() {
      throw new Error('a blocking web hook touched the outbox or the database');
    },
  },
);

/** A blocking hook's deps: the client's, and a queue that fails the test if it is touched. */
export function blockingHookDeps(client: WebHookClientDeps): WebHookDeps {
  return { ...client, outbox: unused as WebHookDeps['outbox'], db: unused as WebHookDeps['db'] };
}

/** A registration's hook context, as the tests of a single call use it. */
export const sampleHookContext: HookContext = {
  flow: { id: 'f' },
  request_headers: {},
  request_method: 'POST',
  request_url: 'https://id.example/self-service/registration',
  request_cookies: {},
};
