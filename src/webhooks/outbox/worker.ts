import type { OutboundHttp } from '../../kernel/http-client.js';
import {
  type AttemptContext,
  type AttemptEnd,
  type LeasedWorkerSettings,
  startLeasedWorker,
} from '../../kernel/leased-worker.js';
import type { Logger } from '../../kernel/logger.js';
import { withFreshRequestId } from '../analytics-headers.js';
import { followRedirects } from '../redirects.js';
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
export interface WorkerSettings extends Omit<LeasedWorkerSettings, 'attemptTimeoutMs'> {
  /** One call's deadline; capped at half the lease so a call never outlives its lease. */
  requestTimeoutMs: number;
  /** The answer's body is not used; reading stops here (a longer body still counts by status). */
  maxResponseBytes: number;
  retry: RetryPolicy;
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
   * Stops polling and gives back at once the claimed deliveries no call has begun; lets calls
   * in flight finish for the grace period, then aborts them and gives them back too (they are
   * sent again: delivery is at-least-once).
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

/** A web hook delivery: one HTTP call, judged by the retry policy and settled in the store. */
export function startDeliveryWorker(deps: WorkerDeps, settings: WorkerSettings): WebhookWorker {
  const { store, owner } = deps;
  // As Kratos's web hook client (Go's http.Client): redirects are followed, so a 3xx is never
  // taken for the receiver's answer.
  const http = followRedirects(deps.http);
  const logger = deps.logger.child({ component: 'webhook-outbox' });

  /** Fields safe to log: never headers (credentials), bodies or the URL's path and query. */
  const about = (d: WebhookDelivery) => ({
    delivery_id: d.id,
    hook: d.name,
    target: target(d.url),
    attempts: d.attempts,
  });

  async function call(
    d: WebhookDelivery,
    stopSignal: AbortSignal,
    timeoutMs: number,
  ): Promise<AttemptOutcome | 'stopped'> {
    try {
      const response = await http.request({
        url: d.url,
        method: d.method,
        // Every attempt is a new request to the receiver, as retryablehttp's are.
        headers: withFreshRequestId(d.headers),
        ...(d.body === null ? {} : { body: d.body }),
        timeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        signal: stopSignal,
      });
      return judgeResponse(response.status, response.headers, deps.now());
    } catch (error) {
      if (stopSignal.aborted) return 'stopped';
      return judgeError(error, deps.now());
    }
  }

  async function settle(d: WebhookDelivery, outcome: AttemptOutcome): Promise<AttemptEnd> {
    const now = deps.now();
    if (outcome.kind === 'delivered') {
      const settled = await store.markDelivered(d.id, owner, now);
      if (settled === 'lease_lost') logger.warn(about(d), 'web hook lease expired before the call finished');
      else logger.info({ ...about(d), status: outcome.status }, 'web hook delivered');
      return 'settled';
    }
    const retryAt = outcome.kind === 'retry' ? nextAttemptAt(outcome, d.attempts, settings.retry, now) : null;
    const settled = await store.recordFailure(d.id, owner, { error: outcome.reason, retryAt, now });
    const fields = { ...about(d), reason: outcome.reason };
    if (settled === 'lease_lost') logger.warn(fields, 'web hook lease expired before the call finished');
    else if (retryAt === null) logger.error(fields, 'web hook delivery abandoned');
    else logger.warn({ ...fields, retry_at: retryAt }, 'web hook not delivered; will retry');
    return 'settled';
  }

  async function deliver(d: WebhookDelivery, { stopSignal, timeoutMs }: AttemptContext): Promise<AttemptEnd> {
    if (d.attempts > settings.retry.maxAttempts) {
      // Every earlier worker died mid-call: do not let this one take workers down forever.
      return settle(d, {
        kind: 'abandon',
        reason: `no outcome after ${settings.retry.maxAttempts} attempts`,
      });
    }
    // The HTTP client keeps its own deadline and lets go of the stop signal after the call.
    const outcome = await call(d, stopSignal, timeoutMs);
    // Whether the receiver got it is unknown; the worker gives it back to be sent again.
    if (outcome === 'stopped') return 'stopped';
    return settle(d, outcome);
  }

  return startLeasedWorker(
    { queue: store, owner, now: deps.now, logger, label: 'web hook outbox', about, attempt: deliver },
    { ...settings, attemptTimeoutMs: settings.requestTimeoutMs },
  );
}
