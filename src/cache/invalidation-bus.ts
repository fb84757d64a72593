/**
 * The receiving end of invalidations: keeps one subscription to the channel alive, proves it with
 * heartbeats, and tells the local tier whenever messages may be missed.
 */
import type { Redis } from 'ioredis';
import { isHeartbeat, parseInvalidation } from './invalidation-message.js';
import { withoutDetails } from './safe-error.js';
import type { InvalidationListener } from './shared-tier.js';
import type { CacheLogger } from './types.js';

/** A running subscription. */
export interface InvalidationBus {
  /** Whether the subscription is confirmed by Redis and has been heard from recently. */
  readonly live: boolean;
  /** Stops delivering messages and heartbeats; call before closing the connections. */
  stop(): void;
}

/** How the bus proves its subscription works. */
export interface HeartbeatSettings {
  /** Publishes one heartbeat on the channel (on the command connection); may reject. */
  publish(): Promise<unknown>;
  /** Between two heartbeats of this replica. */
  intervalMs: number;
  /** Nothing heard for this long: the subscription is taken for dead. */
  silenceMs: number;
}

/**
 * Subscribes `subscriber` to `channel` on every (re)connect and feeds the listener.
 *
 * Pub/sub delivers at most once: whatever is published while this connection is down is lost. So
 * the listener goes deaf (empties its LRUs and stops filling them) when the connection drops, and
 * listens again once a new subscription is confirmed; from that moment on every invalidation
 * reaches it.
 *
 * A half-open connection (the path to Redis hangs without a reset) never reports a drop, and the
 * OS notices it only after its keep-alive gives up. So every replica publishes a heartbeat on the
 * channel every `intervalMs`, and a subscription that has heard nothing for `silenceMs` is treated
 * as dropped: the listener goes deaf and the connection is replaced.
 *
 * Resolves when the first subscription is live or the first connection attempt has failed, so a
 * dead Redis never blocks startup.
 */
export function startInvalidationBus(
  subscriber: Redis,
  channel: string,
  listener: InvalidationListener,
  logger: CacheLogger,
  heartbeat: HeartbeatSettings,
): Promise<InvalidationBus> {
  let live = false;
  let stopped = false;
  /** When the subscription last heard anything, on `performance.now()`. */
  let lastHeard = 0;
  let settleStart: (() => void) | undefined;
  const started = new Promise<void>((resolve) => {
    settleStart = resolve;
  });

  // One warning until a subscription succeeds, in case SUBSCRIBE keeps failing (an ACL, say).
  let warned = false;
  // One warning per silence, until something is heard again.
  let warnedSilent = false;
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
    lastHeard = performance.now();
    listener.listening();
    settleStart?.();
  };

  const goDeaf = (reason: 'disconnected' | 'silent'): void => {
    if (!live) return;
    live = false;
    listener.deaf(reason);
  };

  const silent = (): boolean => live && performance.now() - lastHeard > heartbeat.silenceMs;
  const declareSilence = (): void => {
    if (stopped || !silent()) return;
    if (!warnedSilent)
      logger.warn(
        { channel, silentForMs: Math.round(performance.now() - lastHeard) },
        'cache invalidation subscription silent; not caching locally until it is renewed',
      );
    warnedSilent = true;
    goDeaf('silent');
    // The connection may be half-open and never recover: replace it (`close`, then `ready`).
    subscriber.disconnect(true);
  };
  // As often as heartbeats go out: a silence is noticed at most `intervalMs` after it began to count.
  const beat = (): void => {
    heartbeat.publish().catch(() => {
      // The command connection reports its own outages; other replicas' heartbeats may still come.
    });
    if (!silent()) return;
    // The verdict waits for the loop's next I/O round: after the event loop was blocked (a long
    // synchronous task, a GC pause), Node runs expired timers before it reads the sockets, where
    // heartbeats that arrived meanwhile still wait. setImmediate runs after that read.
    setImmediate(declareSilence);
  };
  const timer = setInterval(beat, heartbeat.intervalMs);
  // The cache is closed explicitly; a pending heartbeat must not keep a process alive.
  timer.unref();

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
    goDeaf('disconnected');
  };
  const onMessage = (from: string, text: string): void => {
    if (from !== channel) return;
    lastHeard = performance.now();
    warnedSilent = false;
    const message = parseInvalidation(text);
    if (message === undefined) {
      logger.warn({ channel }, 'unreadable cache invalidation message; dropping the local cache');
      listener.reset('unreadable_message');
      return;
    }
    if (isHeartbeat(message)) return;
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
      clearInterval(timer);
      subscriber.off('ready', onReady);
      subscriber.off('close', onClose);
      subscriber.off('error', onError);
      subscriber.off('message', onMessage);
      settleStart?.();
    },
  };
  return started.then(() => bus);
}
