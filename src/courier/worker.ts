import {
  type AttemptContext,
  type AttemptEnd,
  type LeasedWorkerSettings,
  startLeasedWorker,
} from '../kernel/leased-worker.js';
import type { Logger } from '../kernel/logger.js';
import type { Channel } from './channels/channel.js';
import type { MessageStore } from './message-store.js';
import type { CourierMessage, DispatchError, MessageType } from './model.js';

/**
 * How a worker polls, leases and retries. Defaults come from `courier.*` (see createCourier):
 * `courier.worker.pull_wait` is the poll interval, `courier.worker.pull_count` the batch size.
 */
export interface WorkerSettings extends Omit<LeasedWorkerSettings, 'attemptTimeoutMs'> {
  /**
   * One send's deadline. The worker caps it at half the lease, so a send always ends before
   * the lease renewed for it runs out.
   */
  sendTimeoutMs: number;
  /** Attempts before a message is abandoned: 1 + `courier.message_retries`. */
  maxAttempts: number;
  /** Retry n waits min(maxMs, baseMs * 2^(n-1)). */
  backoff: { baseMs: number; maxMs: number };
}

/**
 * Where each type of message goes: email to SMTP, the mail API or the dev inbox; SMS to the
 * `sms` channel or the dev inbox. Undefined when nothing is configured for that type.
 */
export type MessageChannels = Readonly<Record<MessageType, Channel | undefined>>;

export interface WorkerDeps {
  store: MessageStore;
  channels: MessageChannels;
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

/** A courier message's delivery: one send through the channel, settled in the store. */
export function startWorker(deps: WorkerDeps, settings: WorkerSettings): CourierWorker {
  const { store, channels, owner } = deps;
  const logger = deps.logger.child({ component: 'courier' });

  /** Message fields safe to log: never the recipient, subject or bodies, which may carry codes. */
  const about = (m: CourierMessage) => ({
    message_id: m.id,
    message_type: m.type,
    template_type: m.template_type,
    send_count: m.send_count,
  });

  async function fail(message: CourierMessage, error: DispatchError): Promise<AttemptEnd> {
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
    } else if (final) logger.error({ ...fields, reason: error.message }, 'courier message abandoned');
    else
      logger.warn(
        { ...fields, reason: error.message, retry_at: retryAt },
        'courier message not delivered; will retry',
      );
    return 'settled';
  }

  async function send(
    message: CourierMessage,
    { signal, stopSignal, timeoutMs }: AttemptContext,
  ): Promise<AttemptEnd> {
    if (message.send_count > settings.maxAttempts) {
      // Its earlier workers died mid-send every time: do not let it crash workers forever.
      return fail(message, {
        code: 'attempts_exhausted',
        message: `no delivery after ${settings.maxAttempts} attempts`,
        permanent: true,
      });
    }
    const channel = channels[message.type];
    if (channel === undefined) {
      // As Kratos ("no courier channels configured for: sms"): a failed attempt, retried until
      // the message is abandoned, so that a config fixed in time still delivers it.
      return fail(message, {
        code: 'channel_not_configured',
        message: `no courier channel is configured for ${message.type} messages`,
        permanent: false,
      });
    }
    const result = await channel.deliver(message, signal);
    if (result.ok) {
      const settled = await store.markSent(message.id, owner, channel.id, deps.now());
      if (settled === 'lease_lost')
        logger.warn(about(message), 'courier lease expired before the send finished');
      else logger.info({ ...about(message), channel: channel.id }, 'courier message sent');
      return 'settled';
    }
    // Stopped mid-send: whether the server got it is unknown; the worker gives it back.
    if (stopSignal.aborted && result.error.code === 'EABORT') return 'stopped';
    return fail(
      message,
      result.error.code === 'EABORT'
        ? { code: 'ETIMEDOUT', message: `the send took longer than ${timeoutMs} ms`, permanent: false }
        : result.error,
    );
  }

  return startLeasedWorker(
    { queue: store, owner, now: deps.now, logger, label: 'courier', about, attempt: send },
    { ...settings, attemptTimeoutMs: settings.sendTimeoutMs },
  );
}
