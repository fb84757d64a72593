import type { Logger } from '../kernel/logger.js';
import type { Channel } from './channels/channel.js';
import type { MessageStore } from './message-store.js';
import type { CourierMessage, DispatchError } from './model.js';

/** How a worker polls, leases and retries. Defaults come from `courier.*` (see createCourier). */
export interface WorkerSettings {
  /** Wait between polls when the queue is drained (`courier.worker.pull_wait`). */
  pollIntervalMs: number;
  /** Messages leased per poll (`courier.worker.pull_count`). */
  batchSize: number;
  /** Sends in flight at once. */
  concurrency: number;
  /** How long a claimed message stays this worker's; longer than a send may take. */
  leaseMs: number;
  /** One send's deadline; kept below the lease so a slow send never outlives its lease. */
  sendTimeoutMs: number;
  /** Attempts before a message is abandoned: 1 + `courier.message_retries`. */
  maxAttempts: number;
  /** Retry n waits min(maxMs, baseMs * 2^(n-1)). */
  backoff: { baseMs: number; maxMs: number };
  /** On stop, how long in-flight sends may finish before they are aborted and given back. */
  stopGraceMs: number;
}

export interface WorkerDeps {
  store: MessageStore;
  channel: Channel;
  logger: Logger;
  /** This worker's lease owner id: unique per process. */
  owner: string;
  now(): Date;
}

/** A running delivery loop. */
export interface CourierWorker {
  /**
   * Stops polling, lets in-flight sends finish for the grace period, aborts the rest and
   * gives them back to the queue. Never marks a message sent twice.
   */
  stop(): Promise<void>;
}

export function retryDelayMs(attempt: number, backoff: WorkerSettings['backoff']): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
}

export function startWorker(deps: WorkerDeps, settings: WorkerSettings): CourierWorker {
  const { store, channel, owner } = deps;
  const logger = deps.logger.child({ component: 'courier', channel: channel.id });
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

  /** Message fields safe to log: never the subject or bodies, which may carry codes. */
  const about = (m: CourierMessage) => ({
    message_id: m.id,
    template_type: m.template_type,
    send_count: m.send_count,
  });

  async function fail(message: CourierMessage, error: DispatchError): Promise<void> {
    const final = error.permanent || message.send_count >= settings.maxAttempts;
    const now = deps.now();
    const retryAt = final
      ? null
      : new Date(now.getTime() + retryDelayMs(message.send_count, settings.backoff));
    await store.recordFailure(message.id, owner, { error, retryAt, now });
    const fields = { ...about(message), code: error.code, response_code: error.response_code };
    if (final) logger.error({ ...fields, reason: error.message }, 'courier message abandoned');
    else
      logger.warn(
        { ...fields, reason: error.message, retry_at: retryAt },
        'courier message not delivered; will retry',
      );
  }

  async function deliver(message: CourierMessage): Promise<void> {
    if (message.send_count > settings.maxAttempts) {
      // Its earlier workers died mid-send every time: do not let it crash workers forever.
      const error = {
        code: 'attempts_exhausted',
        message: `no delivery after ${settings.maxAttempts} attempts`,
        permanent: true,
      };
      return fail(message, error);
    }
    const signal = AbortSignal.any([abortInFlight.signal, AbortSignal.timeout(settings.sendTimeoutMs)]);
    const result = await channel.deliver(message, signal);
    if (result.ok) {
      const settled = await store.markSent(message.id, owner, channel.id, deps.now());
      if (settled === 'lease_lost')
        logger.warn(about(message), 'courier lease expired before the send finished');
      else logger.info(about(message), 'courier message sent');
      return;
    }
    if (abortInFlight.signal.aborted && result.error.code === 'EABORT') {
      // Stopped mid-send: whether the server got it is unknown; at-least-once says send again.
      await store.release(message.id, owner, { refund: false, now: deps.now() });
      return;
    }
    const error: DispatchError =
      result.error.code === 'EABORT'
        ? {
            code: 'ETIMEDOUT',
            message: `the send took longer than ${settings.sendTimeoutMs} ms`,
            permanent: false,
          }
        : result.error;
    return fail(message, error);
  }

  /** Delivers one message, or gives it back untried when stop came first. Never throws. */
  async function handle(message: CourierMessage): Promise<void> {
    try {
      if (stopping) {
        await store.release(message.id, owner, { refund: true, now: deps.now() });
        return;
      }
      await deliver(message);
    } catch (error) {
      // The store did not answer: the lease runs out and a later poll retries the message.
      logger.error({ ...about(message), err: error }, 'courier could not record a delivery attempt');
    }
  }

  async function runBatch(messages: CourierMessage[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (let m = messages[next++]; m !== undefined; m = messages[next++]) await handle(m);
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, messages.length) }, lane));
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      let claimed: CourierMessage[] = [];
      try {
        claimed = await store.claim({
          owner,
          limit: settings.batchSize,
          leaseMs: settings.leaseMs,
          now: deps.now(),
        });
      } catch (error) {
        logger.error({ err: error }, 'courier could not read the outbox');
      }
      if (claimed.length > 0) await runBatch(claimed);
      // A full batch suggests more are due: poll again at once.
      if (!stopping && claimed.length < settings.batchSize) await sleep(settings.pollIntervalMs);
    }
  }

  logger.info({ owner, lease_ms: settings.leaseMs }, 'courier worker started');
  const running = loop();
  return {
    async stop() {
      stopping = true;
      wake?.();
      const grace = setTimeout(() => abortInFlight.abort(), settings.stopGraceMs);
      try {
        await running;
      } finally {
        clearTimeout(grace);
      }
      logger.info({ owner }, 'courier worker stopped');
    },
  };
}
