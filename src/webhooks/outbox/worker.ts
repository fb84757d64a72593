import type { OutboundHttp } from '../../kernel/http-client.js';
import type { Logger } from '../../kernel/logger.js';
import type { WebhookDelivery } from './model.js';
import {
  type AttemptOutcome,
  judgeError,
  judgeResponse,
  nextAttemptAt,
  type RetryPolicy,
} from './retry-policy.js';
import type { DeliveryStore } from './store.js';

/** How a worker polls, leases and retries. Defaults: see DEFAULT_WORKER_SETTINGS in index.ts. */
export interface WorkerSettings {
  /** Wait between polls when nothing is due. */
  pollIntervalMs: number;
  /** Deliveries leased per poll. */
  batchSize: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** How long a claimed delivery stays this worker's; an expired lease is picked up again. */
  leaseMs: number;
  /** One call's deadline; held below half the lease so a call never outlives its lease. */
  requestTimeoutMs: number;
  /** The answer's body is not used; reading stops here (a longer body still counts by status). */
  maxResponseBytes: number;
  retry: RetryPolicy;
  /** On stop, how long in-flight calls may finish before they are aborted and given back. */
  stopGraceMs: number;
}

export interface WorkerDeps {
  store: DeliveryStore;
  http: OutboundHttp;
  logger: Logger;
  /** This worker's lease owner id: unique per worker. */
  owner: string;
  now(): Date;
}

export interface WebhookWorker {
  /**
   * Stops polling, lets in-flight calls finish for the grace period, then aborts the rest and
   * gives them back to the queue (they are sent again: delivery is at-least-once).
   */
  stop(): Promise<void>;
}

/** Scheme, host and port only: paths and queries of hook URLs may carry secrets. */
function target(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

export function startDeliveryWorker(deps: WorkerDeps, settings: WorkerSettings): WebhookWorker {
  const { store, http, owner } = deps;
  const logger = deps.logger.child({ component: 'webhook-outbox' });
  const timeoutMs = Math.min(settings.requestTimeoutMs, Math.floor(settings.leaseMs / 2));
  const abortInFlight = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** Fields safe to log: never headers (credentials), bodies or the URL's path and query. */
  const about = (d: WebhookDelivery) => ({
    delivery_id: d.id,
    hook: d.name,
    target: target(d.url),
    attempts: d.attempts,
  });

  async function attempt(d: WebhookDelivery): Promise<AttemptOutcome | 'stopped'> {
    try {
      const response = await http.request({
        url: d.url,
        method: d.method,
        headers: d.headers,
        ...(d.body === null ? {} : { body: d.body }),
        timeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        signal: abortInFlight.signal,
      });
      return judgeResponse(response.status, response.headers, deps.now());
    } catch (error) {
      if (abortInFlight.signal.aborted) return 'stopped';
      return judgeError(error, deps.now());
    }
  }

  async function settle(d: WebhookDelivery, outcome: AttemptOutcome): Promise<void> {
    const now = deps.now();
    if (outcome.kind === 'delivered') {
      const settled = await store.markDelivered(d.id, owner, now);
      if (settled === 'lease_lost') logger.warn(about(d), 'web hook lease expired before the call finished');
      else logger.info({ ...about(d), status: outcome.status }, 'web hook delivered');
      return;
    }
    const retryAt = outcome.kind === 'retry' ? nextAttemptAt(outcome, d.attempts, settings.retry, now) : null;
    const settled = await store.recordFailure(d.id, owner, { error: outcome.reason, retryAt, now });
    const fields = { ...about(d), reason: outcome.reason };
    if (settled === 'lease_lost') logger.warn(fields, 'web hook lease expired before the call finished');
    else if (retryAt === null) logger.error(fields, 'web hook delivery abandoned');
    else logger.warn({ ...fields, retry_at: retryAt }, 'web hook not delivered; will retry');
  }

  async function deliver(d: WebhookDelivery): Promise<void> {
    if (d.attempts > settings.retry.maxAttempts) {
      // Every earlier worker died mid-call: do not let this one take workers down forever.
      return settle(d, {
        kind: 'abandon',
        reason: `no outcome after ${settings.retry.maxAttempts} attempts`,
      });
    }
    const outcome = await attempt(d);
    if (outcome === 'stopped') {
      // Whether the receiver got it is unknown; at-least-once says send it again.
      await store.release(d.id, owner, { refund: false, now: deps.now() });
      return;
    }
    return settle(d, outcome);
  }

  /** Delivers one, or gives it back untried when stop came first. Never throws. */
  async function handle(d: WebhookDelivery): Promise<void> {
    try {
      if (stopping) await store.release(d.id, owner, { refund: true, now: deps.now() });
      else await deliver(d);
    } catch (error) {
      // The database did not answer: the lease runs out and a later poll retries it.
      logger.error({ ...about(d), err: error }, 'web hook outbox could not record an attempt');
    }
  }

  async function runBatch(batch: WebhookDelivery[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (let d = batch[next++]; d !== undefined; d = batch[next++]) await handle(d);
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, batch.length) }, lane));
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      let claimed: WebhookDelivery[] = [];
      try {
        claimed = await store.claim({
          owner,
          limit: settings.batchSize,
          leaseMs: settings.leaseMs,
          now: deps.now(),
        });
      } catch (error) {
        logger.error({ err: error }, 'web hook outbox could not be read');
      }
      if (claimed.length > 0) await runBatch(claimed);
      // A full batch suggests more are due: poll again at once.
      if (!stopping && claimed.length < settings.batchSize) await sleep(settings.pollIntervalMs);
    }
  }

  logger.info({ owner, lease_ms: settings.leaseMs }, 'web hook outbox worker started');
  const running = loop();
  return {
    async stop() {
      stopping = true;
      wake?.();
      const grace = setTimeout(
        () => abortInFlight.abort(new Error('web hook worker stopping')),
        settings.stopGraceMs,
      );
      try {
        await running;
      } finally {
        clearTimeout(grace);
      }
      logger.info({ owner }, 'web hook outbox worker stopped');
    },
  };
}
