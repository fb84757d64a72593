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
  /**
   * How long a message stays this worker's: from its claim, and again from just before its
   * send, when the worker renews the lease on that one message.
   */
  leaseMs: number;
  /**
   * One send's deadline. The worker caps it at half the lease, so a send always ends before
   * the lease renewed for it runs out.
   */
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

export function startWorker(deps: WorkerDeps, requested: WorkerSettings): CourierWorker {
  const { store, channel, owner } = deps;
  // A send must end well within the lease renewed for it, or another worker could start the
  // same message while it is still in flight.
  const settings: WorkerSettings = {
    ...requested,
    sendTimeoutMs: Math.min(requested.sendTimeoutMs, Math.floor(requested.leaseMs / 2)),
  };
  const logger = deps.logger.child({ component: 'courier', channel: channel.id });
  const abortInFlight = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;
  /** Claimed messages of the current batch that no lane has begun yet. */
  let pending: CourierMessage[] = [];

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
    const settled = await store.recordFailure(message.id, owner, { error, retryAt, now });
    const fields = { ...about(message), code: error.code, response_code: error.response_code };
    if (settled === 'lease_lost') {
      logger.warn(
        { ...fields, reason: error.message },
        'courier lease expired before the failure was recorded',
      );
      return;
    }
    if (final) logger.error({ ...fields, reason: error.message }, 'courier message abandoned');
    else
      logger.warn(
        { ...fields, reason: error.message, retry_at: retryAt },
        'courier message not delivered; will retry',
      );
  }

  /**
   * Leases one message afresh just before its send: the batch's lease may have run out while
   * the lane sent earlier messages, and another worker may have claimed this one since.
   * True when the message is this worker's for a whole send timeout and more.
   */
  async function renewLease(message: CourierMessage): Promise<boolean> {
    const now = deps.now();
    const renewed = await store.renew(message.id, owner, { leaseMs: settings.leaseMs, now });
    const remainingMs = now.getTime() + settings.leaseMs - deps.now().getTime();
    if (renewed === 'settled' && remainingMs > settings.sendTimeoutMs) return true;
    // Not begun, so the claim's attempt is handed back. This only writes while the message is
    // still ours (its lease ran out and nobody claimed it yet, or the renewal itself was slow):
    // it is due again at once, for whichever worker polls first.
    const released = await store.release(message.id, owner, { refund: true, now: deps.now() });
    logger.info(
      { ...about(message), given_back: released === 'settled' },
      'courier lease lost or too short before the send began; message not sent by this worker',
    );
    return false;
  }

  async function deliver(message: CourierMessage): Promise<void> {
    if (!(await renewLease(message))) return;
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
    pending = [...messages];
    const lane = async () => {
      for (let m = pending.shift(); m !== undefined; m = pending.shift()) await handle(m);
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

  logger.info(
    { owner, lease_ms: settings.leaseMs, send_timeout_ms: settings.sendTimeoutMs },
    'courier worker started',
  );
  const running = loop();
  return {
    async stop() {
      stopping = true;
      wake?.();
      // Claimed messages no lane has begun go back at once, not when a lane gets to them:
      // other workers can take them while the sends in flight finish.
      const givenBack = Promise.all(pending.splice(0).map(handle));
      const grace = setTimeout(() => abortInFlight.abort(), settings.stopGraceMs);
      try {
        await Promise.all([running, givenBack]);
      } finally {
        clearTimeout(grace);
      }
      logger.info({ owner }, 'courier worker stopped');
    },
  };
}
