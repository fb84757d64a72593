/**
 * The receiving end of invalidations: keeps one subscription to the channel alive and resets the
 * local tier whenever messages may have been missed.
 */
import type { Redis } from 'ioredis';
import { parseInvalidation } from './invalidation-message.js';
import { withoutDetails } from './safe-error.js';
import type { InvalidationListener } from './shared-tier.js';
import type { CacheLogger } from './types.js';

/** A running subscription. */
export interface InvalidationBus {
  /** Whether the subscription is confirmed by Redis right now. */
  readonly live: boolean;
  /** Stops delivering messages; call before closing the connection. */
  stop(): void;
}

/**
 * Subscribes `subscriber` to `channel` on every (re)connect and feeds the listener.
 *
 * Pub/sub delivers at most once: whatever is published while this connection is down is lost. So
 * the listener is reset when the connection drops (what it holds may go stale unseen) and again once
 * the new subscription is confirmed (what it filled while deaf may be stale); from that moment on,
 * every invalidation reaches it. Resolves when the first subscription is live or the first
 * connection attempt has failed, so a dead Redis never blocks startup.
 */
export function startInvalidationBus(
  subscriber: Redis,
  channel: string,
  listener: InvalidationListener,
  logger: CacheLogger,
): Promise<InvalidationBus> {
  let live = false;
  let stopped = false;
  let settleStart: (() => void) | undefined;
  const started = new Promise<void>((resolve) => {
    settleStart = resolve;
  });

  // One warning until a subscription succeeds, in case SUBSCRIBE keeps failing (an ACL, say).
  let warned = false;
  const subscribe = async (): Promise<void> => {
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      // A connection that dropped meanwhile is already on its way back, with `ready` to follow.
      if (stopped || subscriber.status !== 'ready') return;
      if (!warned)
        logger.warn({ err: withoutDetails(error) }, 'cache invalidation subscribe failed; reconnecting');
      warned = true;
      // A fresh connection is the simplest way to try again; `close` and `ready` follow.
      subscriber.disconnect(true);
      return;
    }
    if (stopped) return;
    warned = false;
    live = true;
    listener.reset('subscribed');
    settleStart?.();
  };

  const onReady = (): void => {
    void subscribe();
  };
  // An error alone does not mean the subscription is gone (`close` says that); it only means
  // startup should not wait any longer.
  const onError = (): void => {
    settleStart?.();
  };
  const onClose = (): void => {
    settleStart?.();
    if (!live) return;
    live = false;
    listener.reset('disconnected');
  };
  const onMessage = (from: string, text: string): void => {
    if (from !== channel) return;
    const message = parseInvalidation(text);
    if (message === undefined) {
      logger.warn({ channel }, 'unreadable cache invalidation message; dropping the local cache');
      listener.reset('unreadable_message');
      return;
    }
    listener.invalidated(message.namespace, message.keys);
  };

  subscriber.on('ready', onReady);
  subscriber.on('close', onClose);
  subscriber.on('error', onError);
  subscriber.on('message', onMessage);
  if (subscriber.status === 'ready') onReady();

  const bus: InvalidationBus = {
    get live() {
      return live;
    },
    stop() {
      stopped = true;
      live = false;
      subscriber.off('ready', onReady);
      subscriber.off('close', onClose);
      subscriber.off('error', onError);
      subscriber.off('message', onMessage);
      settleStart?.();
    },
  };
  return started.then(() => bus);
}
